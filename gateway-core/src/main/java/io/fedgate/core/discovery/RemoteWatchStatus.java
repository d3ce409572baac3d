package io.fedgate.core.discovery;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Optional;

/**
 * What the status of a {@code ServiceMeshPeer} reports about one remote watching this mesh
 * ({@code status.discoveryStatus.*.remotes[]}): the source it connects from, whether a watch is connected, and when
 * it last connected and was last served the full list. An entry is dropped some time (5 minutes by default) after
 * its last watch disconnected.
 *
 * @param peer the peer whose services are watched
 * @param source the remote's address as the caller named it, e.g. {@code 10.128.2.149}
 * @param connected whether at least one watch from the source is open
 * @param activeWatches how many watches from the source are open
 * @param lastConnected when a watch from the source was last accepted; empty if only full lists were fetched
 * @param lastFullSync when the source was last served the full list
 * @param lastDisconnected when a watch from the source last ended
 */
public record RemoteWatchStatus(String peer, String source, boolean connected, int activeWatches,
                                Optional<Instant> lastConnected, Optional<Instant> lastFullSync,
                                Optional<Instant> lastDisconnected) {

    public RemoteWatchStatus {
        requireNonNull(peer, "peer");
        requireNonNull(source, "source");
        requireNonNull(lastConnected, "lastConnected");
        requireNonNull(lastFullSync, "lastFullSync");
        requireNonNull(lastDisconnected, "lastDisconnected");
        if (activeWatches < 0 || connected != (activeWatches > 0)) {
            throw new IllegalArgumentException("connected " + connected + " with " + activeWatches + " watches");
        }
    }
}
