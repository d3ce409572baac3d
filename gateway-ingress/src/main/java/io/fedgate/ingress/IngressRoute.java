package io.fedgate.ingress;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import io.netty.handler.ssl.SslContext;

import io.fedgate.core.config.HostPort;
import io.fedgate.core.config.PeerConfig;
import io.fedgate.core.config.Service;
import io.fedgate.core.config.ServicePort;

/**
 * Where one server name leads: a peer's exported service port (the filter chain), the TLS context that
 * authenticates that peer, and the cluster of local endpoints behind it. Built once per config; only the
 * round-robin position changes, lock-free, as connections are spread over the endpoints.
 *
 * @param peer          the peer allowed to use this route
 * @param exportedHost  the host the peer knows the service by, e.g. {@code ratings.bookinfo.svc.green-mesh-exports.local}
 * @param service       the local service
 * @param port          the service port
 * @param mode          terminate or pass through the downstream's TLS
 * @param proxyProtocol whether upstream connections start with a PROXY protocol header
 * @param serverContext mTLS server context accepting exactly the peer's {@code clientID} (unused in pass-through)
 * @param endpoints     the cluster: the service port's endpoints, as targetPorts
 */
record IngressRoute(PeerConfig peer, String exportedHost, Service service, ServicePort port, TlsMode mode,
                    UpstreamProxyProtocol proxyProtocol, SslContext serverContext, List<HostPort> endpoints, AtomicInteger nextEndpoint) {

    IngressRoute {
        requireNonNull(peer, "peer");
        requireNonNull(exportedHost, "exportedHost");
        requireNonNull(service, "service");
        requireNonNull(port, "port");
        requireNonNull(mode, "mode");
        requireNonNull(proxyProtocol, "proxyProtocol");
        requireNonNull(serverContext, "serverContext");
        endpoints = List.copyOf(endpoints);
        requireNonNull(nextEndpoint, "nextEndpoint");
    }

    /** The local service as metrics and logs name it, {@code <name>.<namespace>}. */
    String serviceName() {
        return service.name() + "." + service.namespace();
    }

    /** The local service's host, Istio's {@code destination_service}: {@code <name>.<namespace>.svc.<domain>}. */
    String serviceHost(String clusterDomain) {
        return service.hostname(clusterDomain);
    }

    /** Envoy/Istio's name for the cluster behind this route, {@code outbound|<port>||<local service host>}. */
    String cluster(String clusterDomain) {
        return "outbound|" + port.port() + "||" + service.hostname(clusterDomain);
    }

    /** Where the next connection starts its round over the endpoints. */
    int nextEndpointIndex() {
        return nextEndpoint.getAndIncrement();
    }
}
