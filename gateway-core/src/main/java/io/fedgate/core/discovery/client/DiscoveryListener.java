package io.fedgate.core.discovery.client;

import io.fedgate.core.discovery.ServiceListMessage;

/**
 * Told about every new service list of a peer a {@link DiscoveryClient} watches. Called on the client's event loop:
 * implementations must return quickly and never block.
 */
@FunctionalInterface
public interface DiscoveryListener {
    /** A listener that ignores everything. */
    DiscoveryListener NONE = list -> { };

    /** The peer's services are now {@code list}: after a full sync, or after a watch event was applied. */
    void onServices(ServiceListMessage list);
}
