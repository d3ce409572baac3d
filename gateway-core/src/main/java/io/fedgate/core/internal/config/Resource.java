package io.fedgate.core.internal.config;

import static java.util.Objects.requireNonNull;

/**
 * One resource of a kind fedgate reads, before its kind-specific validation: where it came from, who it is, and its
 * YAML tree.
 *
 * @param kind the kind
 * @param context its location and problem reporting
 * @param root the root node of its YAML tree
 */
public record Resource(ResourceKind kind, ResourceContext context, Node root) {

    public Resource {
        requireNonNull(kind, "kind");
        requireNonNull(context, "context");
        requireNonNull(root, "root");
    }

    /** The name. */
    public String name() {
        return context.name();
    }

    /** The namespace. */
    public String namespace() {
        return context.namespace();
    }
}
