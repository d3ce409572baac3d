package io.fedgate.core.status;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Optional;

import io.fedgate.core.discovery.RemoteWatchStatus;
import io.fedgate.core.discovery.client.WatchStatus;

/**
 * One gateway's part of a {@code ServiceMeshPeer}'s status: the ingress knows the {@code remotes} (the peer watching
 * us) and the last refusal of the peer's connections; the egress knows the outbound {@code watch}.
 *
 * @param peer        the peer's name
 * @param remotes     inbound watches (ingress), possibly empty
 * @param watch       the outbound watch (egress), or empty
 * @param lastRefusal the last connection of this peer the gateway refused, or empty
 */
public record PeerStatus(String peer, List<RemoteWatchStatus> remotes, Optional<WatchStatus> watch,
                         Optional<Refusal> lastRefusal) {
    public PeerStatus {
        requireNonNull(peer, "peer");
        remotes = List.copyOf(remotes);
        requireNonNull(watch, "watch");
        requireNonNull(lastRefusal, "lastRefusal");
    }
}
