package io.fedgate.egress;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Logger;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;

import io.fedgate.core.listener.DownstreamRefusal;
import io.fedgate.core.config.HostPort;
import io.fedgate.core.listener.DownstreamConnections;
import io.fedgate.core.listener.DownstreamReporter;
import io.fedgate.core.listener.LeasedRoutes;
import io.fedgate.core.metrics.GatewayMetrics;
import io.fedgate.core.relay.UpstreamConnector;
import io.fedgate.core.status.RefusalLog;
import io.fedgate.core.tls.ClientSni;
import io.fedgate.core.trust.PeerRefusal;

/**
 * What every connection of the egress listeners shares: the current route table (swapped whole on a discovery
 * update or reload), the downstream TLS server context, the upstream connector, the metrics and the timeouts; and
 * the one way upstream connections are opened: mTLS to the peer's ingress, the handshake complete before the relay
 * starts. Safe to use from any event loop.
 */
final class EgressListenerContext {
    private static final Logger LOG = Logger.getLogger("io.fedgate.egress.ServiceListener");
    /** The reason a downstream is refused when every upstream attempt failed. */
    static final String UPSTREAM_UNREACHABLE = DownstreamRefusal.UPSTREAM_UNREACHABLE.code();

    private final LeasedRoutes<EgressRouteTable> routes;
    private volatile SslContext serverContext;
    private final UpstreamConnector connector;
    private final DownstreamConnections connections;
    private final GatewayMetrics metrics;
    private final RefusalLog refusals;
    private final long handshakeTimeoutMillis;
    private final int maxClientHello;

    EgressListenerContext(EgressRouteTable routes, SslContext serverContext, UpstreamConnector connector,
                          DownstreamConnections connections, RefusalLog refusals, long handshakeTimeoutMillis,
                          int maxClientHello) {
        this.routes = new LeasedRoutes<>(routes);
        this.serverContext = requireNonNull(serverContext, "serverContext");
        this.connector = requireNonNull(connector, "connector");
        this.connections = requireNonNull(connections, "connections");
        this.metrics = connections.metrics();
        this.refusals = requireNonNull(refusals, "refusals");
        this.handshakeTimeoutMillis = handshakeTimeoutMillis;
        this.maxClientHello = maxClientHello;
    }

    /** The current route table and its swaps; a connection routes by {@link LeasedRoutes#lease}. */
    LeasedRoutes<EgressRouteTable> routes() {
        return routes;
    }

    /** Terminates local workloads' TLS: the egress's certificate, clients of the local trust domain only. */
    SslContext serverContext() {
        return serverContext;
    }

    /**
     * Swaps in a new server context (a reload: rotated certificate or roots) for new connections, and returns the
     * old one for the caller to release; connections already handshaking hold their own reference to it.
     */
    SslContext replaceServerContext(SslContext next) {
        SslContext previous = serverContext;
        serverContext = requireNonNull(next, "next");
        return previous;
    }

    RefusalLog refusals() {
        return refusals;
    }

    DownstreamConnections connections() {
        return connections;
    }

    long handshakeTimeoutMillis() {
        return handshakeTimeoutMillis;
    }

    int maxClientHello() {
        return maxClientHello;
    }

    /**
     * Opens mTLS to one of the route's endpoints, on the downstream's event loop, starting round-robin and trying
     * the next endpoint when a connect or a TLS handshake fails. Completes with a channel whose handshake succeeded
     * (nothing else was read or written), or fails with {@link UpstreamFailedException} naming every attempt.
     */
    Future<Channel> connectUpstream(Channel downstream, EgressRoute route) {
        EventLoop eventLoop = downstream.eventLoop();
        Promise<Channel> promise = eventLoop.newPromise();
        List<HostPort> endpoints = route.endpoints();
        attempt(downstream, route, Math.floorMod(route.nextEndpointIndex(), endpoints.size()), 0, new Attempts(), promise);
        return promise;
    }

    private void attempt(Channel downstream, EgressRoute route, int index, int tried, Attempts failures,
                         Promise<Channel> promise) {
        List<HostPort> endpoints = route.endpoints();
        HostPort endpoint = endpoints.get(index);
        Runnable next = () -> {
            if (!downstream.isActive()) {
                promise.tryFailure(new UpstreamFailedException(UPSTREAM_UNREACHABLE, "the downstream left", failures.all));
            } else if (tried + 1 < endpoints.size()) {
                attempt(downstream, route, (index + 1) % endpoints.size(), tried + 1, failures, promise);
            } else {
                promise.tryFailure(UpstreamFailedException.of(failures.all, failures.tlsReason));
            }
        };
        connector.connect(downstream.eventLoop(), List.of(endpoint), 0, new UpstreamTls(route),
                failure -> {
                    metrics.upstreamConnectFailed(route.serviceName());
                    failures.all.add(failure.toString());
                    failures.tlsReason = null;
                    LOG.warning(() -> "upstream connect failed: downstream=" + address(downstream) + " cluster="
                            + route.cluster() + " endpoint=" + failure);
                }).addListener((Future<Channel> connected) -> {
                    if (!connected.isSuccess()) {
                        next.run();
                        return;
                    }
                    Channel upstream = connected.getNow();
                    upstream.pipeline().get(SslHandler.class).handshakeFuture().addListener(handshake -> {
                        if (handshake.isSuccess()) {
                            upstream.pipeline().remove(UpstreamTls.READ_DURING_HANDSHAKE);
                            if (!promise.trySuccess(upstream)) {
                                upstream.close();
                            }
                            return;
                        }
                        upstream.close();
                        PeerRefusal refusal = PeerRefusal.of(handshake.cause());
                        String reason = refusal.reason().code();
                        failures.tlsReason = reason;
                        failures.all.add(endpoint + " (" + reason + ": " + refusal.detail() + ")");
                        metrics.upstreamConnectFailed(route.serviceName());
                        LOG.warning(() -> "upstream handshake failed: downstream=" + address(downstream)
                                + " cluster=" + route.cluster() + " endpoint=" + endpoint + " sni="
                                + route.upstreamServerName() + " reason=" + reason + ": " + refusal.detail());
                        next.run();
                    });
                });
    }

    /** One connection's failed upstream attempts; touched on its event loop only. */
    private static final class Attempts {
        final List<String> all = new ArrayList<>(0);
        /** The identity reason of the last attempt, if that was a failed handshake. */
        String tlsReason;
    }

    /** Joins downstream and upstream; the reporter steps aside and the relay reports the connection's end. */
    void startRelay(Channel downstream, Channel upstream, EgressRoute route, DownstreamReporter reporter) {
        reporter.relay(downstream, upstream, route.peer().name(), "outbound", route.serviceName(), route.cluster());
    }

    /** Connects upstream for a downstream whose route is known, then relays, or refuses with the reason. */
    void connectAndRelay(Channel downstream, EgressRoute route, DownstreamReporter reporter) {
        connectUpstream(downstream, route).addListener((Future<Channel> f) -> {
            if (f.isSuccess()) {
                startRelay(downstream, f.getNow(), route, reporter);
            } else {
                String reason = f.cause() instanceof UpstreamFailedException
                        ? ((UpstreamFailedException) f.cause()).reason() : UPSTREAM_UNREACHABLE;
                reporter.refuse(downstream, reason, route.cluster() + ": " + f.cause().getMessage());
            }
        });
    }

    static String address(Channel channel) {
        Object address = channel.remoteAddress();
        return address == null ? "-" : address.toString().replaceFirst("^/", "");
    }

    /**
     * The upstream pipeline: the peer's client context, dialling the exported host (which the authorizer looks the
     * allowed {@code serviceAccounts} up by), with SNI {@code outbound_.<port>_._.<exported host>} set on the engine
     * itself (Netty would send none for a name with underscores); and a handler asking for reads until the handshake
     * is done ({@code AUTO_READ} is off). Sharable: each upstream channel gets its own handlers.
     */
    private final class UpstreamTls extends ChannelInitializer<Channel> {
        static final String READ_DURING_HANDSHAKE = "read-during-handshake";
        private final EgressRoute route;

        UpstreamTls(EgressRoute route) {
            this.route = route;
        }

        @Override
        protected void initChannel(Channel channel) {
            SslHandler ssl = route.clientContext().newHandler(channel.alloc(), route.exportedHost(),
                    route.endpoints().get(0).port());
            ClientSni.request(ssl.engine(), route.upstreamServerName());
            ssl.setHandshakeTimeoutMillis(handshakeTimeoutMillis);
            channel.pipeline().addLast("tls", ssl);
            channel.pipeline().addLast(READ_DURING_HANDSHAKE, new ChannelInboundHandlerAdapter() {
                @Override
                public void channelActive(ChannelHandlerContext ctx) {
                    ctx.read();
                    ctx.fireChannelActive();
                }

                @Override
                public void channelReadComplete(ChannelHandlerContext ctx) {
                    if (!ssl.handshakeFuture().isDone()) {
                        ctx.read();
                    }
                }
            });
        }
    }
}
