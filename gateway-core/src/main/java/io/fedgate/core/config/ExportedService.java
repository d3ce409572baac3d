package io.fedgate.core.config;

import static java.util.Objects.requireNonNull;

/**
 * A local service as one peer sees it: the name it is exported under and the hostname the peer will address,
 * {@code <name>.<namespace>.svc.<peer>-exports.local}.
 *
 * @param localService the local Service
 * @param exportedName the namespace/name after aliasing
 * @param hostname the exported hostname
 */
public record ExportedService(NamespacedName localService, NamespacedName exportedName, String hostname) {

    public ExportedService {
        requireNonNull(localService, "localService");
        requireNonNull(exportedName, "exportedName");
        requireNonNull(hostname, "hostname");
    }
}
