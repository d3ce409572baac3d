package io.fedgate.core.status;

import java.time.Instant;

/**
 * The egress's outbound watch of a peer, as {@code status.discoveryStatus.*.watch} reports it: {@code connected}
 * turns true only after a 200 answer to the watch; {@code lastConnected} is set when a watch is attempted;
 * {@code lastDisconnect} only if it had been connected; {@code lastDisconnectStatus} is the HTTP status line or the
 * error text. Times are {@code null} when they never happened.
 *
 * @param cause the reason code of the last failure (e.g. {@code untrusted-chain}), or {@code null}
 */
public record OutboundWatch(boolean connected, Instant lastConnected, Instant lastDisconnect,
                            String lastDisconnectStatus, Instant lastEvent, Instant lastFullSync, String cause) {
}
