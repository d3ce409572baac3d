package io.fedgate.ingress;

import static java.util.Objects.requireNonNull;

import java.util.logging.Logger;

import io.netty.channel.Channel;
import io.netty.util.concurrent.Future;

import io.fedgate.core.listener.DownstreamRefusal;
import io.fedgate.core.listener.DownstreamConnections;
import io.fedgate.core.listener.DownstreamReporter;
import io.fedgate.core.listener.LeasedRoutes;
import io.fedgate.core.listener.UpstreamProxyHeader;
import io.fedgate.core.metrics.GatewayMetrics;
import io.fedgate.core.relay.UpstreamConnector;
import io.fedgate.core.relay.UpstreamConnector.NoEndpointReachableException;
import io.fedgate.core.status.RefusalLog;

/**
 * What every connection of the service listener shares: the current route table (swapped whole on reload), the
 * upstream connector, the metrics and the timeouts. Handlers get it at construction; it is safe to use from any
 * event loop.
 */
final class ServiceListenerContext {
    private static final Logger LOG = Logger.getLogger("io.fedgate.ingress.ServiceListener");

    private final LeasedRoutes<IngressRouteTable> routes;
    private final UpstreamConnector connector;
    private final DownstreamConnections connections;
    private final GatewayMetrics metrics;
    private final RefusalLog refusals;
    private final long handshakeTimeoutMillis;
    private final int maxClientHello;
    private final String clusterDomain;

    ServiceListenerContext(IngressRouteTable routes, UpstreamConnector connector, DownstreamConnections connections,
                           RefusalLog refusals, long handshakeTimeoutMillis, int maxClientHello, String clusterDomain) {
        this.routes = new LeasedRoutes<>(routes);
        this.connector = requireNonNull(connector, "connector");
        this.connections = requireNonNull(connections, "connections");
        this.metrics = connections.metrics();
        this.refusals = requireNonNull(refusals, "refusals");
        this.handshakeTimeoutMillis = handshakeTimeoutMillis;
        this.maxClientHello = maxClientHello;
        this.clusterDomain = requireNonNull(clusterDomain, "clusterDomain");
    }

    /** The current route table and its swaps; a connection routes by {@link LeasedRoutes#lease}. */
    LeasedRoutes<IngressRouteTable> routes() {
        return routes;
    }

    DownstreamConnections connections() {
        return connections;
    }

    RefusalLog refusals() {
        return refusals;
    }

    long handshakeTimeoutMillis() {
        return handshakeTimeoutMillis;
    }

    int maxClientHello() {
        return maxClientHello;
    }

    /** Envoy's name of the cluster behind a route. */
    String cluster(IngressRoute route) {
        return route.cluster(clusterDomain);
    }

    /** Connects to the route's cluster on the downstream's event loop, logging and counting each failed endpoint. */
    Future<Channel> connectUpstream(Channel downstream, IngressRoute route) {
        return connector.connect(downstream.eventLoop(), route.endpoints(), route.nextEndpointIndex(), null,
                failure -> {
                    metrics.upstreamConnectFailed(route.serviceHost(clusterDomain));
                    LOG.warning(() -> "upstream connect failed: downstream=" + address(downstream) + " cluster="
                            + route.cluster(clusterDomain) + " endpoint=" + failure);
                });
    }

    /** Connects upstream for a downstream whose route is known, then relays, or refuses with the reason. */
    void connectAndRelay(Channel downstream, IngressRoute route, DownstreamReporter reporter) {
        connectUpstream(downstream, route).addListener((Future<Channel> f) -> {
            if (f.isSuccess()) {
                startRelay(downstream, f.getNow(), route, reporter);
            } else {
                String detail = f.cause() instanceof NoEndpointReachableException
                        ? f.cause().getMessage() : String.valueOf(f.cause());
                reporter.refuse(downstream, DownstreamRefusal.UPSTREAM_UNREACHABLE.code(), cluster(route) + ": " + detail);
            }
        });
    }

    /** Joins downstream and upstream; the reporter steps aside and the relay reports the connection's end. */
    void startRelay(Channel downstream, Channel upstream, IngressRoute route, DownstreamReporter reporter) {
        if (route.proxyProtocol() == UpstreamProxyProtocol.V2 && downstream.isActive()) {
            UpstreamProxyHeader.send(downstream, upstream);
        }
        reporter.relay(downstream, upstream, route.peer().name(), "inbound", route.serviceHost(clusterDomain),
                cluster(route));
    }

    static String address(Channel channel) {
        Object address = channel.remoteAddress();
        return address == null ? "-" : address.toString().replaceFirst("^/", "");
    }
}
