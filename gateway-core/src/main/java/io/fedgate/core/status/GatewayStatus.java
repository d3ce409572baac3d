package io.fedgate.core.status;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Optional;

/**
 * What one gateway process reports on {@code GET /federation/status}: who it is and its part of each served peer's
 * status. {@code fedgate status} merges the ingress's and the egress's reports into the {@code ServiceMeshPeer}
 * status shape.
 *
 * @param pod       the reporting pod ({@code HOSTNAME}, as Kubernetes sets it), or the gateway name outside a pod
 * @param role      {@code ingress} or {@code egress}
 * @param gateway   the gateway name
 * @param namespace the control-plane namespace
 * @param peers     one entry per served peer
 */
public record GatewayStatus(String pod, String role, String gateway, String namespace, List<PeerStatus> peers) {
    public GatewayStatus {
        requireNonNull(pod, "pod");
        requireNonNull(role, "role");
        requireNonNull(gateway, "gateway");
        requireNonNull(namespace, "namespace");
        peers = List.copyOf(peers);
    }

    /** This gateway's part for {@code peer}. */
    public Optional<PeerStatus> peer(String peer) {
        return peers.stream().filter(status -> status.peer().equals(peer)).findFirst();
    }

    /** The pod name: {@code HOSTNAME} when set (Kubernetes sets it to the pod name), else the gateway name. */
    public static String podName(String gateway) {
        String hostname = System.getenv("HOSTNAME");
        return hostname == null || hostname.isBlank() ? gateway : hostname;
    }
}
