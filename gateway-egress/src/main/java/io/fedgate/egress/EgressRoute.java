package io.fedgate.egress;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import io.netty.handler.ssl.SslContext;

import io.fedgate.core.config.HostPort;
import io.fedgate.core.config.PeerConfig;
import io.fedgate.core.routing.SniName;
import io.fedgate.core.spiffe.SpiffeId;

/**
 * Where one imported host and port lead: a peer's exported service port, reached through the peer's ingress. Built
 * once per route table; only the round-robin position changes, lock-free.
 *
 * @param peer            the peer exporting the service
 * @param localHost       the host local callers use, e.g. {@code ratings.bookinfo.svc.green-mesh-imports.local}
 * @param exportedHost    the host the peer exports it as, e.g. {@code ratings.bookinfo.svc.red-mesh-exports.local}
 * @param port            the service port
 * @param serviceAccounts the SPIFFE IDs the peer's ingress may present for this service
 * @param clientContext   the peer's upstream mTLS client context (shared by every route of the peer)
 * @param endpoints       the cluster: the peer's {@code remote.addresses} on its {@code servicePort}
 * @param nextEndpoint    round-robin position, shared by the peer's routes
 */
record EgressRoute(PeerConfig peer, String localHost, String exportedHost, int port, Set<SpiffeId> serviceAccounts,
                   SslContext clientContext, List<HostPort> endpoints, AtomicInteger nextEndpoint) {

    EgressRoute {
        requireNonNull(peer, "peer");
        requireNonNull(localHost, "localHost");
        requireNonNull(exportedHost, "exportedHost");
        serviceAccounts = Set.copyOf(serviceAccounts);
        requireNonNull(clientContext, "clientContext");
        endpoints = List.copyOf(endpoints);
        requireNonNull(nextEndpoint, "nextEndpoint");
    }

    /** The SNI sent upstream, {@code outbound_.<port>_._.<exported host>}: the peer's ingress picks the port by it. */
    String upstreamServerName() {
        return SniName.outbound(port, exportedHost);
    }

    /** The local caller's Istio name for this route, {@code outbound_.<port>_._.<local host>}. */
    String localServerName() {
        return SniName.outbound(port, localHost);
    }

    /** The service as metrics and logs name it: the local import host. */
    String serviceName() {
        return localHost;
    }

    /** Envoy/Istio's name for the cluster behind this route, {@code outbound|<port>||<local host>}. */
    String cluster() {
        return "outbound|" + port + "||" + localHost;
    }

    /** Where the next connection starts its round over the endpoints. */
    int nextEndpointIndex() {
        return nextEndpoint.getAndIncrement();
    }
}
