package io.fedgate.core.config;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Optional;

/**
 * The {@code ImportedServiceSet} named after a peer: which of the peer's exported services this mesh imports, and
 * under which local names. A service matched by no rule is not imported.
 *
 * @param peerName the peer (the set's {@code metadata.name})
 * @param namespace the control-plane namespace
 * @param domainSuffix {@code spec.domainSuffix}, or its default {@code svc.<peer>-imports.local}
 * @param domainSuffixDefaulted whether {@code domainSuffix} is the default
 * @param locality {@code spec.locality}, if given
 * @param rules {@code spec.importRules}, in order
 * @param clusterDomain the local cluster domain, for {@code importAsLocal} names
 */
public record ImportedServiceSet(String peerName, String namespace, String domainSuffix, boolean domainSuffixDefaulted,
                                 Optional<Locality> locality, List<ImportRule> rules, String clusterDomain) {

    public ImportedServiceSet {
        requireNonNull(peerName, "peerName");
        requireNonNull(namespace, "namespace");
        requireNonNull(domainSuffix, "domainSuffix");
        requireNonNull(locality, "locality");
        rules = List.copyOf(requireNonNull(rules, "rules"));
        requireNonNull(clusterDomain, "clusterDomain");
    }

    /** {@code svc.<peer>-imports.local}, the default domain suffix of services imported from {@code peerName}. */
    public static String defaultDomainSuffix(String peerName) {
        return "svc." + peerName + "-imports.local";
    }

    /**
     * How the peer's exported service {@code namespace}/{@code name} is imported: by the first rule that selects it;
     * empty if none does.
     */
    public Optional<ImportedService> importService(String name, String namespace) {
        requireNonNull(name, "name");
        requireNonNull(namespace, "namespace");
        for (ImportRule rule : rules) {
            if (rule.nameSelector().matches(namespace, name)) {
                NamespacedName local = rule.nameSelector().rename(namespace, name);
                String suffix = rule.importAsLocal() ? "svc." + clusterDomain
                        : rule.domainSuffix().isEmpty() ? domainSuffix : rule.domainSuffix();
                return Optional.of(new ImportedService(new NamespacedName(namespace, name), local,
                        local.name() + "." + local.namespace() + "." + suffix, rule.importAsLocal()));
            }
        }
        return Optional.empty();
    }
}
