package io.fedgate.core.config;

import static java.util.Objects.requireNonNull;

/**
 * Selects services by namespace and name and renames the ones it selects, as the {@code nameSelector} of export and
 * import rules and the {@code aliases[]} of label-selector rules do. {@code *} matches anything in a selector and keeps
 * the original part in an alias; an empty value (an omitted field) means the same and is stored as {@code *}.
 *
 * @param namespace the namespace to match, or {@code *}
 * @param name the name to match, or {@code *}
 * @param aliasNamespace the namespace to rename to, or {@code *} to keep it
 * @param aliasName the name to rename to, or {@code *} to keep it
 */
public record ServiceNameMapping(String namespace, String name, String aliasNamespace, String aliasName) {
    /** The wildcard: matches any value, or keeps the original one in an alias. */
    public static final String ANY = "*";

    public ServiceNameMapping {
        namespace = wildcardIfEmpty(requireNonNull(namespace, "namespace"));
        name = wildcardIfEmpty(requireNonNull(name, "name"));
        aliasNamespace = wildcardIfEmpty(requireNonNull(aliasNamespace, "aliasNamespace"));
        aliasName = wildcardIfEmpty(requireNonNull(aliasName, "aliasName"));
    }

    /** A mapping that matches {@code namespace}/{@code name} and keeps the matched name. */
    public static ServiceNameMapping of(String namespace, String name) {
        return new ServiceNameMapping(namespace, name, ANY, ANY);
    }

    private static String wildcardIfEmpty(String value) {
        return value.isEmpty() ? ANY : value;
    }

    /** Whether the service {@code namespace}/{@code name} is selected. */
    public boolean matches(String namespace, String name) {
        return (this.namespace.equals(ANY) || this.namespace.equals(namespace))
                && (this.name.equals(ANY) || this.name.equals(name));
    }

    /** The name a selected service gets: each alias part, or the original part where the alias is {@code *}. */
    public NamespacedName rename(String namespace, String name) {
        return new NamespacedName(aliasNamespace.equals(ANY) ? namespace : aliasNamespace,
                aliasName.equals(ANY) ? name : aliasName);
    }

    /** Whether the alias fixes the namespace, as {@code importAsLocal} requires. */
    public boolean hasFixedAliasNamespace() {
        return !aliasNamespace.equals(ANY);
    }

    /** E.g. {@code bookinfo/ratings as bookinfo/red-ratings}, or {@code * /ratings} without an alias. */
    @Override
    public String toString() {
        String selector = namespace + "/" + name;
        if (aliasNamespace.equals(ANY) && aliasName.equals(ANY)) {
            return selector;
        }
        return selector + " as " + aliasNamespace + "/" + aliasName;
    }
}
