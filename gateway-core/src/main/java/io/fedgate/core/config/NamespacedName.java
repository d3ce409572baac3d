package io.fedgate.core.config;

import static java.util.Objects.requireNonNull;

/**
 * A namespace and a name, identifying a service (or any namespaced object); renders as {@code namespace/name}.
 *
 * @param namespace the namespace
 * @param name the name
 */
public record NamespacedName(String namespace, String name) implements Comparable<NamespacedName> {

    public NamespacedName {
        requireNonNull(namespace, "namespace");
        requireNonNull(name, "name");
    }

    /** Orders by namespace, then name. */
    @Override
    public int compareTo(NamespacedName other) {
        int byNamespace = namespace.compareTo(other.namespace);
        return byNamespace != 0 ? byNamespace : name.compareTo(other.name);
    }

    /** {@code namespace/name}. */
    @Override
    public String toString() {
        return namespace + "/" + name;
    }
}
