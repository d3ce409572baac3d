package io.fedgate.core.config;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A Kubernetes label selector: every {@code matchLabels} pair and every {@code matchExpressions} requirement must hold.
 * An empty selector selects everything, as in Kubernetes.
 *
 * @param matchLabels labels that must be present with exactly these values
 * @param matchExpressions further requirements
 */
public record LabelSelector(Map<String, String> matchLabels, List<Requirement> matchExpressions) {
    /** The empty selector, which selects everything. */
    public static final LabelSelector EVERYTHING = new LabelSelector(Map.of(), List.of());

    public LabelSelector {
        matchLabels = Map.copyOf(requireNonNull(matchLabels, "matchLabels"));
        matchExpressions = List.copyOf(requireNonNull(matchExpressions, "matchExpressions"));
    }

    /** Whether a service with these labels is selected. */
    public boolean matches(Map<String, String> labels) {
        requireNonNull(labels, "labels");
        for (Map.Entry<String, String> required : matchLabels.entrySet()) {
            if (!required.getValue().equals(labels.get(required.getKey()))) {
                return false;
            }
        }
        for (Requirement requirement : matchExpressions) {
            if (!requirement.matches(labels)) {
                return false;
            }
        }
        return true;
    }

    /** E.g. {@code export=true,tier in (web,api)}; {@code <everything>} for the empty selector. */
    @Override
    public String toString() {
        List<String> parts = new ArrayList<>();
        new TreeMap<>(matchLabels).forEach((key, value) -> parts.add(key + "=" + value));
        matchExpressions.forEach(requirement -> parts.add(requirement.toString()));
        return parts.isEmpty() ? "<everything>" : String.join(",", parts);
    }

    /** The operators of {@code matchExpressions}. */
    public enum Operator {
        /** The label is present and its value is one of {@code values}. */
        IN("In"),
        /** The label is absent, or its value is none of {@code values}. */
        NOT_IN("NotIn"),
        /** The label is present. */
        EXISTS("Exists"),
        /** The label is absent. */
        DOES_NOT_EXIST("DoesNotExist");

        private final String yamlName;

        Operator(String yamlName) {
            this.yamlName = yamlName;
        }

        /** The operator as YAML spells it, e.g. {@code NotIn}. */
        public String yamlName() {
            return yamlName;
        }

        /** Whether this operator takes a non-empty {@code values} list ({@code In}, {@code NotIn}). */
        public boolean takesValues() {
            return this == IN || this == NOT_IN;
        }

        /** The operator YAML spells {@code name}, if any. */
        public static Optional<Operator> fromYaml(String name) {
            for (Operator operator : values()) {
                if (operator.yamlName.equals(name)) {
                    return Optional.of(operator);
                }
            }
            return Optional.empty();
        }
    }

    /**
     * One {@code matchExpressions} entry.
     *
     * @param key the label key
     * @param operator how the label is tested
     * @param values the values for {@code In} and {@code NotIn}, empty otherwise
     */
    public record Requirement(String key, Operator operator, List<String> values) {
        public Requirement {
            requireNonNull(key, "key");
            requireNonNull(operator, "operator");
            values = List.copyOf(requireNonNull(values, "values"));
            if (operator.takesValues() == values.isEmpty()) {
                throw new IllegalArgumentException(operator.takesValues()
                        ? operator.yamlName() + " needs values" : operator.yamlName() + " takes no values");
            }
        }

        /** Whether the labels satisfy this requirement. */
        public boolean matches(Map<String, String> labels) {
            String value = labels.get(key);
            switch (operator) {
                case IN:
                    return value != null && values.contains(value);
                case NOT_IN:
                    return value == null || !values.contains(value);
                case EXISTS:
                    return value != null;
                case DOES_NOT_EXIST:
                    return value == null;
                default:
                    throw new AssertionError(operator);
            }
        }

        /** E.g. {@code tier in (web,api)} or {@code !legacy}, as kubectl writes selectors. */
        @Override
        public String toString() {
            switch (operator) {
                case IN:
                    return key + " in (" + String.join(",", values) + ")";
                case NOT_IN:
                    return key + " notin (" + String.join(",", values) + ")";
                case EXISTS:
                    return key;
                case DOES_NOT_EXIST:
                    return "!" + key;
                default:
                    throw new AssertionError(operator);
            }
        }
    }
}
