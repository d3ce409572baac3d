package io.fedgate.core.discovery.client;

import java.time.Instant;
import java.util.Optional;

/**
 * An immutable snapshot of a {@link DiscoveryClient}'s outbound watch, the {@code watch:} part of a
 * {@code ServiceMeshPeer}'s discovery status (federation-protocol.md section 2).
 *
 * @param connected whether the watch is open: true only after a 200 answer to {@code GET /v1/watch}, and false from a
 *        refusal of the peer's data until a list is accepted again
 * @param lastConnected when a watch was last attempted (set at every attempt, successful or not, as the reference does)
 * @param lastDisconnect when a connected watch last ended; empty if none ever was connected and ended
 * @param lastDisconnectStatus why the last attempt or watch ended: an HTTP status line such as
 *        {@code 503 Service Unavailable}, a TLS refusal such as {@code untrusted-chain: ...}, refused data such as
 *        {@code refused discovery data: too-large: service list larger than 16777216 bytes} (which may also be set
 *        while the watch stays open, for a refused event), or error text
 * @param lastEvent when the last watch event arrived
 * @param lastFullSync when the last full list was fetched successfully
 * @param address the {@code host:port} currently (or last) used
 * @param lastErrorReason the {@link io.fedgate.core.trust.RefusalReason#code() refusal code} of the last TLS failure,
 *        if the last failure was one
 */
public record WatchStatus(boolean connected, Optional<Instant> lastConnected, Optional<Instant> lastDisconnect,
                          Optional<String> lastDisconnectStatus, Optional<Instant> lastEvent,
                          Optional<Instant> lastFullSync, Optional<String> address, Optional<String> lastErrorReason) {

    /**
     * How {@link #lastDisconnectStatus} begins when the peer's data was refused; {@code <cause>: <detail>} follows,
     * the cause being {@code too-large}, {@code unreadable}, {@code schema-invalid} or {@code truncated}.
     */
    public static final String REFUSED_PREFIX = "refused discovery data: ";

    /** The status before anything happened. */
    public static final WatchStatus INITIAL = new WatchStatus(false, Optional.empty(), Optional.empty(),
            Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());

    public WatchStatus {
        java.util.Objects.requireNonNull(lastConnected, "lastConnected");
        java.util.Objects.requireNonNull(lastDisconnect, "lastDisconnect");
        java.util.Objects.requireNonNull(lastDisconnectStatus, "lastDisconnectStatus");
        java.util.Objects.requireNonNull(lastEvent, "lastEvent");
        java.util.Objects.requireNonNull(lastFullSync, "lastFullSync");
        java.util.Objects.requireNonNull(address, "address");
        java.util.Objects.requireNonNull(lastErrorReason, "lastErrorReason");
    }
}
