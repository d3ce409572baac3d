package io.fedgate.core.config;

import static java.util.Objects.requireNonNull;

import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The {@code ExportedServiceSet} named after a peer: which local services that peer may see, and under which names.
 * A service matched by no rule is not exported.
 *
 * @param peerName the peer (the set's {@code metadata.name})
 * @param namespace the control-plane namespace
 * @param rules {@code spec.exportRules}, in order
 */
public record ExportedServiceSet(String peerName, String namespace, List<ExportRule> rules) {

    public ExportedServiceSet {
        requireNonNull(peerName, "peerName");
        requireNonNull(namespace, "namespace");
        rules = List.copyOf(requireNonNull(rules, "rules"));
    }

    /** {@code svc.<peer>-exports.local}, the domain exported hostnames end in. */
    public String domainSuffix() {
        return exportDomainSuffix(peerName);
    }

    /** The domain suffix of services exported to {@code peerName}. */
    public static String exportDomainSuffix(String peerName) {
        return "svc." + peerName + "-exports.local";
    }

    /** How {@code service} is exported to the peer: by the first rule that selects it; empty if none does. */
    public Optional<ExportedService> export(Service service) {
        requireNonNull(service, "service");
        for (ExportRule rule : rules) {
            Optional<NamespacedName> exported = rule.exportedName(service);
            if (exported.isPresent()) {
                NamespacedName name = exported.get();
                return Optional.of(new ExportedService(service.key(), name,
                        name.name() + "." + name.namespace() + "." + domainSuffix()));
            }
        }
        return Optional.empty();
    }

    /** Every service of {@code services} that is exported, sorted by exported hostname. */
    public List<ExportedService> exportAll(Collection<Service> services) {
        return services.stream()
                .map(this::export)
                .flatMap(Optional::stream)
                .sorted(Comparator.comparing(ExportedService::hostname))
                .toList();
    }
}
