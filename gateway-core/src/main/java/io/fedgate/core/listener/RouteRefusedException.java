package io.fedgate.core.listener;

/**
 * A downstream connection has no route: the lookup future fails with this, and the outcome handler logs and counts
 * it under {@link #reason()}. Carries no stack trace: it is an expected outcome, not a bug.
 */
public final class RouteRefusedException extends Exception {
    private static final long serialVersionUID = 1L;

    /** The downstream's first bytes are not a TLS handshake record. */
    public static final String NOT_TLS = "not-tls";
    /** No server name in the ClientHello. */
    public static final String NO_SNI = "no-sni";
    /** A server name no route serves. */
    public static final String UNKNOWN_SNI = "unknown-sni";
    /** A plain host name of a service with several ports: only {@code outbound_.<port>_._.<host>} says which. */
    public static final String SNI_NEEDS_PORT = "sni-needs-port";

    private final String reason;

    public RouteRefusedException(String reason, String detail) {
        super(detail, null, false, false);
        this.reason = reason;
    }

    public String reason() {
        return reason;
    }
}
