package io.fedgate.ingress;

/**
 * A downstream connection has no route: the lookup future fails with this, and the outcome handler logs and counts
 * it under {@link #reason()}. Carries no stack trace: it is an expected outcome, not a bug.
 */
final class RouteRefusedException extends Exception {
    private static final long serialVersionUID = 1L;

    /** The downstream's first bytes are not a TLS handshake record. */
    static final String NOT_TLS = "not-tls";
    /** No server name in the ClientHello. */
    static final String NO_SNI = "no-sni";
    /** A server name that no served peer exports. */
    static final String UNKNOWN_SNI = "unknown-sni";
    /** A plain host name of a service with several ports: only {@code outbound_.<port>_._.<host>} says which. */
    static final String SNI_NEEDS_PORT = "sni-needs-port";

    private final String reason;

    RouteRefusedException(String reason, String detail) {
        super(detail, null, false, false);
        this.reason = reason;
    }

    String reason() {
        return reason;
    }
}
