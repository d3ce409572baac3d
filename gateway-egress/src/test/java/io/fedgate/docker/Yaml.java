package io.fedgate.docker;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Walking the plain Java tree snakeyaml-engine loads: mappings, sequences and scalars. */
final class Yaml {
    private Yaml() {
    }

    /**
     * The node at {@code path} under {@code root}: keys separated by {@code .}, sequence items as {@code [i]}
     * ({@code spec.ports[0].targetPort}); empty when a step is missing or of another shape. Keys holding a dot
     * (label names such as {@code app.kubernetes.io/name}) are read from the mapping above them instead.
     */
    static Optional<Object> at(Object root, String path) {
        Object node = root;
        for (String step : path.split("\\.")) {
            int bracket = step.indexOf('[');
            String key = bracket < 0 ? step : step.substring(0, bracket);
            if (!key.isEmpty()) {
                if (!(node instanceof Map<?, ?> map)) {
                    return Optional.empty();
                }
                node = map.get(key);
            }
            while (bracket >= 0 && node != null) {
                int close = step.indexOf(']', bracket);
                int index = Integer.parseInt(step.substring(bracket + 1, close));
                if (!(node instanceof List<?> list) || index >= list.size()) {
                    return Optional.empty();
                }
                node = list.get(index);
                bracket = step.indexOf('[', close);
            }
            if (node == null) {
                return Optional.empty();
            }
        }
        return Optional.of(node);
    }

    /** {@code node} as a mapping with string keys, or an empty one if it is something else. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object node) {
        return node instanceof Map<?, ?> ? (Map<String, Object>) node : Map.of();
    }

    /** {@code node} as a sequence, or an empty one if it is something else. */
    @SuppressWarnings("unchecked")
    static List<Object> list(Object node) {
        return node instanceof List<?> ? (List<Object>) node : List.of();
    }

    /** The string under {@code key} of the mapping {@code node}, or empty. */
    static Optional<String> string(Object node, String key) {
        Object value = map(node).get(key);
        return value instanceof String text ? Optional.of(text) : Optional.empty();
    }
}
