package io.fedgate.core.config;

import static java.util.Objects.requireNonNull;

/**
 * A peer's exported service as this mesh imports it.
 *
 * @param exportedName the namespace/name the peer exports it as
 * @param localName the namespace/name after aliasing
 * @param hostname the local hostname callers use: {@code <name>.<namespace>.<domainSuffix>}, or with
 *     {@code importAsLocal} {@code <name>.<namespace>.svc.<clusterDomain>}
 * @param importAsLocal whether the service merges with the local service of the same name
 */
public record ImportedService(NamespacedName exportedName, NamespacedName localName, String hostname,
                              boolean importAsLocal) {

    public ImportedService {
        requireNonNull(exportedName, "exportedName");
        requireNonNull(localName, "localName");
        requireNonNull(hostname, "hostname");
    }
}
