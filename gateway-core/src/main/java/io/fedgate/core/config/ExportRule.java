package io.fedgate.core.config;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Optional;

/**
 * One entry of an {@code ExportedServiceSet}'s {@code spec.exportRules}: selects local services and gives each the
 * namespace and name it is exported under. Rules are tried in order and the first that selects a service decides.
 */
public sealed interface ExportRule permits ExportRule.ByName, ExportRule.ByLabels {

    /** The namespace/name {@code service} is exported as, or empty when this rule does not select it. */
    Optional<NamespacedName> exportedName(Service service);

    /**
     * {@code type: NameSelector}: selects by namespace and name, optionally renaming.
     *
     * @param nameSelector the {@code nameSelector}
     */
    record ByName(ServiceNameMapping nameSelector) implements ExportRule {
        public ByName {
            requireNonNull(nameSelector, "nameSelector");
        }

        @Override
        public Optional<NamespacedName> exportedName(Service service) {
            if (!nameSelector.matches(service.namespace(), service.name())) {
                return Optional.empty();
            }
            return Optional.of(nameSelector.rename(service.namespace(), service.name()));
        }

        @Override
        public String toString() {
            return "NameSelector " + nameSelector;
        }
    }

    /**
     * {@code type: LabelSelector}: selects the services of {@code namespace} ({@code *} for any) whose labels match;
     * the first of {@code aliases} that matches a selected service renames it, otherwise it keeps its name.
     *
     * @param namespace the {@code labelSelector.namespace}, or {@code *}
     * @param selector the {@code labelSelector.selector}
     * @param aliases the {@code labelSelector.aliases}
     */
    record ByLabels(String namespace, LabelSelector selector, List<ServiceNameMapping> aliases) implements ExportRule {
        public ByLabels {
            requireNonNull(namespace, "namespace");
            namespace = namespace.isEmpty() ? ServiceNameMapping.ANY : namespace;
            requireNonNull(selector, "selector");
            aliases = List.copyOf(requireNonNull(aliases, "aliases"));
        }

        @Override
        public Optional<NamespacedName> exportedName(Service service) {
            boolean namespaceMatches = namespace.equals(ServiceNameMapping.ANY) || namespace.equals(service.namespace());
            if (!namespaceMatches || !selector.matches(service.labels())) {
                return Optional.empty();
            }
            for (ServiceNameMapping alias : aliases) {
                if (alias.matches(service.namespace(), service.name())) {
                    return Optional.of(alias.rename(service.namespace(), service.name()));
                }
            }
            return Optional.of(service.key());
        }

        @Override
        public String toString() {
            String base = "LabelSelector " + namespace + "/{" + selector + "}";
            return aliases.isEmpty() ? base : base + " aliases " + aliases;
        }
    }
}
