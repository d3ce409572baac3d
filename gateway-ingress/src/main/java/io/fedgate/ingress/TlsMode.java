package io.fedgate.ingress;

import java.util.Locale;

import io.fedgate.core.config.Service;

/**
 * What the ingress does with a downstream's TLS for one exported service, chosen per local {@code Service} by the
 * annotation {@value #ANNOTATION}.
 */
enum TlsMode {
    /** Default: the ingress terminates mTLS, authenticates the peer's egress, and relays plaintext to the service. */
    TERMINATE,
    /**
     * {@code fedgate.io/tls-mode: passthrough}: the ClientHello and everything after it reach the service unmodified;
     * the service terminates TLS itself (and authenticates the caller itself). Routing is by SNI only.
     */
    PASSTHROUGH;

    /** The annotation on a local {@code Service} that selects the mode. */
    static final String ANNOTATION = "fedgate.io/tls-mode";

    /**
     * The mode a service asks for.
     *
     * @throws IllegalArgumentException naming the service and the bad value
     */
    static TlsMode of(Service service) {
        String value = service.annotations().get(ANNOTATION);
        if (value == null || value.isBlank()) {
            return TERMINATE;
        }
        switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "terminate":
                return TERMINATE;
            case "passthrough":
                return PASSTHROUGH;
            default:
                throw new IllegalArgumentException("Service " + service.namespace() + "/" + service.name()
                        + ": metadata.annotations." + ANNOTATION + ": '" + value
                        + "' is not a TLS mode (expected: terminate, passthrough)");
        }
    }

    String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
