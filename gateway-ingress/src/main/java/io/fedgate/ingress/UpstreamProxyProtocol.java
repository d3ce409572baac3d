package io.fedgate.ingress;

import java.util.Locale;

import io.fedgate.core.config.Service;

/**
 * Whether the ingress starts each upstream connection of a local {@code Service} with a PROXY protocol v2 header
 * ({@link io.fedgate.core.listener.UpstreamProxyHeader}: the caller's address, server name and, in terminate mode,
 * SPIFFE ID), chosen by the annotation {@value #ANNOTATION}. Per service, because it is the backend that must expect
 * the header, as Envoy configures it per cluster.
 */
enum UpstreamProxyProtocol {
    /** Default: the upstream gets the downstream's bytes and nothing else. */
    NONE,
    /** {@code fedgate.io/upstream-proxy-protocol: v2}. */
    V2;

    /** The annotation on a local {@code Service} that asks for the header. */
    static final String ANNOTATION = "fedgate.io/upstream-proxy-protocol";

    /**
     * What a service asks for.
     *
     * @throws IllegalArgumentException naming the service and the bad value
     */
    static UpstreamProxyProtocol of(Service service) {
        String value = service.annotations().get(ANNOTATION);
        if (value == null || value.isBlank()) {
            return NONE;
        }
        switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "none":
                return NONE;
            case "v2":
                return V2;
            default:
                throw new IllegalArgumentException("Service " + service.namespace() + "/" + service.name()
                        + ": metadata.annotations." + ANNOTATION + ": '" + value
                        + "' is not a PROXY protocol version (expected: v2, none)");
        }
    }
}
