package io.fedgate.ingress;

import static java.util.Objects.requireNonNull;

import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.logging.Logger;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOption;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.ssl.SslContext;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import io.fedgate.core.admin.AdminServer;
import io.fedgate.core.admin.Page;
import io.fedgate.core.cli.GatewayOptions;
import io.fedgate.core.discovery.DiscoveryHttpHandler;
import io.fedgate.core.discovery.DiscoveryServer;
import io.fedgate.core.discovery.RemoteWatchStatus;
import io.fedgate.core.discovery.DiscoveryUpstreamProxy;
import io.fedgate.core.gateway.Gateway;
import io.fedgate.core.gateway.GatewayContext;
import io.fedgate.core.gateway.GatewayHealth;
import io.fedgate.core.gateway.GatewayLifecycle;
import io.fedgate.core.gateway.GatewayRole;
import io.fedgate.core.gateway.StartupException;
import io.fedgate.core.listener.DownstreamConnections;
import io.fedgate.core.logging.AccessLog;
import io.fedgate.core.metrics.GatewayMetrics;
import io.fedgate.core.relay.RelayListeners;
import io.fedgate.core.relay.UpstreamConnector;
import io.fedgate.core.status.GatewayStatus;
import io.fedgate.core.status.PeerStatus;
import io.fedgate.core.status.RefusalLog;
import io.fedgate.core.status.StatusJson;
import io.fedgate.core.tls.SslContexts;
import io.fedgate.core.trust.PeerAuthorizer;
import io.fedgate.core.transport.EventLoops;
import io.fedgate.core.transport.Transport;

/**
 * The ingress process's listeners: service traffic (raw TLS, 15443), discovery (8188) and admin (15000), on one
 * transport and one worker event loop group. {@link #reload()} (SIGHUP, or a change to the watched files) re-reads
 * the config directory and the certificate files and swaps the routes for new connections; live connections keep
 * theirs. {@link #drain()} (SIGTERM) lets them finish.
 */
final class IngressServer implements Gateway {
    private static final Logger LOG = Logger.getLogger(IngressServer.class.getName());

    private final GatewayOptions options;
    private final Transport transport;
    private final EventLoops loops;
    private final PrometheusMeterRegistry registry = GatewayMetrics.newPrometheusRegistry();
    private final GatewayMetrics metrics = new GatewayMetrics(registry, GatewayRole.INGRESS);
    /** The listeners a drain closes first: service and discovery. */
    private final List<Channel> trafficListeners = new ArrayList<>();
    /** Closed last, so that readiness and metrics answer while draining. */
    private volatile Channel adminListener;
    private final RefusalLog refusals = new RefusalLog(Clock.systemUTC());
    private final AccessLog accessLog;
    private final DownstreamConnections connections;
    private final GatewayLifecycle lifecycle;
    private final ServiceListenerContext serviceListener;
    private final DiscoveryServer discoveryServer;
    private final AtomicReference<DiscoveryListenerInitializer.State> discoveryState = new AtomicReference<>();
    private final AtomicBoolean draining = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();

    private IngressServer(GatewayContext context, Transport transport) {
        this.options = context.options();
        this.transport = transport;
        this.accessLog = AccessLog.open(options.accessLog());
        metrics.accessLogDropped(accessLog::dropped);
        this.connections = new DownstreamConnections(options.connectionLimits(), metrics, accessLog);
        this.lifecycle = new GatewayLifecycle(GatewayRole.INGRESS, options, new GatewayHealth(Clock.systemUTC()),
                metrics, connections);
        this.loops = EventLoops.start(transport);
        UpstreamConnector connector = new UpstreamConnector(transport, options.connectTimeout(), loops.resolver());
        this.serviceListener = new ServiceListenerContext(IngressRouteTable.build(context), connector, connections,
                refusals, options.handshakeTimeout().toMillis(), options.maxClientHello(), options.clusterDomain());
        // The ingress's own SPIFFE ID is what a peer's egress must see on the service listener.
        this.discoveryServer = DiscoveryServer.builder()
                .ingressGateway(options.name())
                .serviceAccounts(List.of(context.identity().spiffeId().toString()))
                .build(context.config());
        this.discoveryState.set(discoveryState(context));
    }

    private static DiscoveryListenerInitializer.State discoveryState(GatewayContext context) {
        SslContext serverContext = SslContexts.forServer(context.identity(), context.trustBundles(),
                PeerAuthorizer.anyVerified(), context.tlsProvider());
        return new DiscoveryListenerInitializer.State(serverContext, DiscoveryAccessHandler.byClientId(context.peers()));
    }

    /**
     * Builds the routes and binds every listener, logging one line per listener.
     *
     * @throws StartupException if the routes cannot be built
     * @throws InterruptedException if interrupted while binding
     */
    static IngressServer start(GatewayContext context) throws InterruptedException {
        requireNonNull(context, "context");
        Transport transport = Transport.select();
        IngressServer server = new IngressServer(context, transport);
        try {
            server.bind(context);
        } catch (RuntimeException | InterruptedException e) {
            server.close();
            throw e;
        }
        return server;
    }

    private void bind(GatewayContext context) throws InterruptedException {
        String peers = context.peerNames().toString();
        String tls = context.tlsProvider().description();
        Channel service = RelayListeners.bootstrap(transport, loops.acceptors(), loops.workers(),
                        new ServiceListenerInitializer(serviceListener, options.idleTimeout().toMillis(),
                                options.proxyProtocol()))
                .bind(options.bind(), options.servicePort()).sync().channel();
        trafficListeners.add(service);
        LOG.info(() -> "listening: service " + AdminServer.address(service) + " peers=" + peers + " routes="
                + serviceListener.routes().current().size() + " tls=" + tls + " transport=" + Transport.describe(transport));

        Supplier<ChannelHandler> discoveryHandler = options.discoveryUpstream()
                .<Supplier<ChannelHandler>>map(upstream -> () -> new DiscoveryUpstreamProxy(upstream,
                        transport.socketChannelClass(), options.connectTimeout()).resolver(loops.resolver()))
                .orElse(() -> new DiscoveryHttpHandler(discoveryServer));
        Channel discovery = new ServerBootstrap()
                .group(loops.acceptors(), loops.workers())
                .channel(transport.serverChannelClass())
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new DiscoveryListenerInitializer(discoveryState::get, discoveryHandler, connections,
                        refusals, options.handshakeTimeout().toMillis(), options.httpTimeouts(), options.proxyProtocol()))
                .bind(options.bind(), options.discoveryPort()).sync().channel();
        trafficListeners.add(discovery);
        String server = options.discoveryUpstream().map(upstream -> "upstream " + upstream).orElse("built-in");
        LOG.info(() -> "listening: discovery " + AdminServer.address(discovery) + " peers=" + peers + " server="
                + server + " tls=" + tls);

        Channel admin = new AdminServer(registry, lifecycle.health())
                .limits(connections, options.httpTimeouts())
                .page("/federation/status", () -> new Page(HttpResponseStatus.OK, "application/json",
                        StatusJson.write(status())))
                .bind(transport, loops.workers(), options.bind(), options.adminPort()).sync().channel();
        adminListener = admin;
        LOG.info(() -> "listening: admin " + AdminServer.address(admin));
        lifecycle.watchFiles(this::reload);
        lifecycle.health().live(); // after the watch starts: a change seen as ready is never missed
    }

    /** The ingress's part of each served peer's status: the peer's watches of us, and our last refusal of it. */
    GatewayStatus status() {
        List<PeerStatus> peers = new ArrayList<>();
        List<RemoteWatchStatus> remotes = discoveryServer.remotes();
        for (String peer : discoveryServer.peers()) {
            peers.add(new PeerStatus(peer, remotes.stream().filter(r -> r.peer().equals(peer)).toList(),
                    Optional.empty(), refusals.last(peer)));
        }
        return new GatewayStatus(GatewayStatus.podName(options.name()), GatewayRole.INGRESS.label(), options.name(),
                options.namespace(), peers);
    }

    /** Re-reads config and certificates; on success new connections use the new routes, on failure nothing changes. */
    @Override
    public void reload() {
        lifecycle.reload(next -> {
            IngressRouteTable routes = IngressRouteTable.build(next);
            DiscoveryListenerInitializer.State discovery;
            try {
                discovery = discoveryState(next);
            } catch (RuntimeException e) {
                routes.release(); // nothing swapped yet: the running config stays whole
                throw e;
            }
            serviceListener.routes().replace(routes);
            discoveryState.set(discovery);
            discoveryServer.update(next.config());
        });
    }

    /** The service listener's bound address. */
    InetSocketAddress serviceAddress() {
        return (InetSocketAddress) trafficListeners.get(0).localAddress();
    }

    /**
     * Drains: the service and discovery listeners stop accepting, discovery watches end at once (the peers'
     * egresses retry another address), relayed connections may finish; then closes.
     */
    @Override
    public void drain() {
        if (draining.compareAndSet(false, true)) {
            lifecycle.drain(List.copyOf(trafficListeners), List.of(DiscoveryListenerInitializer.NAME), this::close);
        }
    }

    @Override
    public void awaitClose() throws InterruptedException {
        lifecycle.awaitClosed();
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        lifecycle.health().draining();
        trafficListeners.forEach(Channel::close);
        if (adminListener != null) {
            adminListener.close();
        }
        connections.closeAll();
        loops.close();
        discoveryServer.close();
        serviceListener.routes().close();
        accessLog.close();
        lifecycle.closed();
    }

    /** The downstream connections, for tests. */
    DownstreamConnections connections() {
        return connections;
    }
}
