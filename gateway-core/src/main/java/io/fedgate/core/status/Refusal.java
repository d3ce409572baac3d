package io.fedgate.core.status;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * The last connection a gateway refused for a peer, kept for the status: the one-line answer to "why is this link
 * down" that otherwise needs three logs in two clusters.
 *
 * @param listener the listener that refused ({@code service}, {@code discovery})
 * @param reason   the reason code, e.g. {@code spiffe-id-mismatch}
 * @param detail   what was presented and what was expected
 * @param time     when
 */
public record Refusal(String listener, String reason, String detail, Instant time) {
    public Refusal {
        requireNonNull(listener, "listener");
        requireNonNull(reason, "reason");
        requireNonNull(detail, "detail");
        requireNonNull(time, "time");
    }

    /** {@code reason: detail}, as logs print it. */
    public String message() {
        return reason + ": " + detail;
    }
}
