package io.fedgate.core.listener;

/**
 * A downstream connection has no route: the lookup future fails with this, and the outcome handler logs and counts
 * it under {@link #reason()}. Carries no stack trace: it is an expected outcome, not a bug.
 */
public final class RouteRefusedException extends Exception {
    private static final long serialVersionUID = 1L;

    private final String reason;

    public RouteRefusedException(DownstreamRefusal reason, String detail) {
        super(detail, null, false, false);
        this.reason = reason.code();
    }

    /** The refusal's code. */
    public String reason() {
        return reason;
    }
}
