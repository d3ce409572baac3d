package io.fedgate.core.internal.config;

import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

import io.fedgate.core.config.ServiceNameMapping;

/**
 * Reads the {@code {namespace, name, alias{namespace, name}}} shape of name selectors and aliases. Each part is
 * {@code *}, empty, or a DNS-1123 label; partial wildcards such as {@code rat*} are rejected, since the reference
 * matches {@code *} only as a whole.
 */
public final class NameMappingReader {
    private NameMappingReader() {
    }

    /**
     * Reads {@code node}; empty when it had an error.
     *
     * @param extraFields further fields the caller reads itself (so they are not reported as unknown)
     */
    public static Optional<ServiceNameMapping> read(Node node, Set<String> extraFields) {
        ResourceContext context = node.context();
        int errorsBefore = context.errorCount();
        node.allowFields(union(Set.of("namespace", "name", "alias"), extraFields));
        String namespace = part(node.field("namespace"));
        String name = part(node.field("name"));
        Node alias = node.field("alias");
        alias.allowFields("namespace", "name");
        String aliasNamespace = part(alias.field("namespace"));
        String aliasName = part(alias.field("name"));
        if (context.errorCount() != errorsBefore) {
            return Optional.empty();
        }
        return Optional.of(new ServiceNameMapping(namespace, name, aliasNamespace, aliasName));
    }

    /** Reads one selector or alias part: {@code *} or empty (both stored as {@code *}), or a DNS-1123 label. */
    public static String part(Node node) {
        String value = node.string().orElse("");
        if (value.isEmpty() || value.equals(ServiceNameMapping.ANY)) {
            return ServiceNameMapping.ANY;
        }
        if (value.contains("*")) {
            node.error(Names.quote(value) + " is not a name or '*' (partial wildcards are not supported)");
            return ServiceNameMapping.ANY;
        }
        Names.checkDns1123Label(value).ifPresent(node::error);
        return value;
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> all = new HashSet<>(a);
        all.addAll(b);
        return all;
    }
}
