package io.fedgate.egress;

import java.util.List;

/**
 * No upstream attempt of an egress route succeeded: every endpoint refused the connection or failed the TLS
 * handshake. {@link #reason()} is {@code upstream-unreachable}, or, when the last attempt failed in its TLS handshake,
 * {@code upstream-} plus its reason (e.g. {@code upstream-spiffe-id-mismatch}). No stack trace: an expected outcome.
 */
final class UpstreamFailedException extends Exception {
    private static final long serialVersionUID = 1L;

    private final String reason;

    UpstreamFailedException(String reason, String detail, List<String> attempts) {
        super(detail + (attempts.isEmpty() ? "" : ": " + attempts), null, false, false);
        this.reason = reason;
    }

    static UpstreamFailedException of(List<String> attempts, String lastTlsReason) {
        if (lastTlsReason != null) {
            return new UpstreamFailedException("upstream-" + lastTlsReason, "no upstream accepted", attempts);
        }
        return new UpstreamFailedException(EgressListenerContext.UPSTREAM_UNREACHABLE, "no endpoint reachable", attempts);
    }

    String reason() {
        return reason;
    }
}
