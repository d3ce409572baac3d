package io.fedgate.docker;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One YAML document of a file under {@code docker/}, as snakeyaml-engine reads it (maps, lists, strings, numbers,
 * booleans), with where it came from for assertion messages.
 *
 * @param file     the file, relative to {@code docker/}, with {@code /}
 * @param document the 1-based index of the document in its file
 * @param body     the document's top-level mapping
 */
record Manifest(String file, int document, Map<String, Object> body) {
    Manifest {
        requireNonNull(file, "file");
        body = requireNonNull(body, "body");
    }

    String apiVersion() {
        return string("apiVersion").orElse("");
    }

    String kind() {
        return string("kind").orElse("");
    }

    String name() {
        return string("metadata.name").orElse("");
    }

    String namespace() {
        return string("metadata.namespace").orElse("");
    }

    /** e.g. {@code kubernetes/red-mesh/ingress-green-mesh.yaml doc 2 Deployment ingress-green-mesh}. */
    String where() {
        return file + " doc " + document + " " + kind() + " " + name();
    }

    /** {@link #where()} and a field, for messages: {@code ... Deployment ingress-green-mesh: spec.replicas}. */
    String where(String field) {
        return where() + ": " + field;
    }

    /** The node at {@code path} ({@code spec.template.spec.containers[0].args}), if every step exists. */
    Optional<Object> at(String path) {
        return Yaml.at(body, path);
    }

    /** The string at {@code path}, if there is one. */
    Optional<String> string(String path) {
        return at(path).filter(String.class::isInstance).map(String.class::cast);
    }

    /** The mapping at {@code path}, or an empty one. */
    Map<String, Object> map(String path) {
        return at(path).map(Yaml::map).orElse(Map.of());
    }

    /** The list at {@code path}, or an empty one. */
    List<Object> list(String path) {
        return at(path).map(Yaml::list).orElse(List.of());
    }
}
