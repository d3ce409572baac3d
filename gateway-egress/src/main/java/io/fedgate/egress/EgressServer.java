package io.fedgate.egress;

import static java.util.Objects.requireNonNull;

import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOption;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.ssl.SslContext;
import io.netty.util.ReferenceCountUtil;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import io.fedgate.core.admin.AdminServer;
import io.fedgate.core.admin.Page;
import io.fedgate.core.cli.GatewayOptions;
import io.fedgate.core.discovery.ServiceListMessage;
import io.fedgate.core.discovery.client.WatchStatus;
import io.fedgate.core.gateway.Gateway;
import io.fedgate.core.gateway.GatewayContext;
import io.fedgate.core.gateway.GatewayHealth;
import io.fedgate.core.gateway.GatewayLifecycle;
import io.fedgate.core.gateway.GatewayRole;
import io.fedgate.core.listener.DownstreamConnections;
import io.fedgate.core.logging.AccessLog;
import io.fedgate.core.gateway.StartupException;
import io.fedgate.core.metrics.GatewayMetrics;
import io.fedgate.core.relay.RelayListeners;
import io.fedgate.core.relay.UpstreamConnector;
import io.fedgate.core.status.GatewayStatus;
import io.fedgate.core.status.PeerStatus;
import io.fedgate.core.status.RefusalLog;
import io.fedgate.core.status.StatusJson;
import io.fedgate.core.tls.SslContexts;
import io.fedgate.core.transport.EventLoops;
import io.fedgate.core.transport.Transport;
import io.fedgate.core.trust.PeerAuthorizer;

/**
 * The egress process's listeners: service traffic from local workloads (TLS, 15443), optional plaintext listeners
 * per imported service port, and admin (15000), on one transport and one worker event loop group.
 *
 * <p>Routes come from discovery: {@link #updateServices} takes a peer's latest service list and swaps in a rebuilt
 * route table; until the first list, a peer has no routes. {@link #reload()} re-reads the config directory and the
 * certificate files and rebuilds the table from the lists it has. Live connections keep their routes.
 */
public final class EgressServer implements Gateway {
    private static final Logger LOG = Logger.getLogger(EgressServer.class.getName());

    private final GatewayOptions options;
    private final Transport transport;
    private final EventLoops loops;
    private final PrometheusMeterRegistry registry = GatewayMetrics.newPrometheusRegistry();
    private final RefusalLog refusals = new RefusalLog(Clock.systemUTC());
    private final GatewayMetrics metrics = new GatewayMetrics(registry, GatewayRole.EGRESS);
    /** The listeners a drain closes first: service and discovery. */
    private final List<Channel> trafficListeners = new ArrayList<>();
    /** Closed last, so that readiness and metrics answer while draining. */
    private volatile Channel adminListener;
    private final AccessLog accessLog;
    private final DownstreamConnections connections;
    private final GatewayLifecycle lifecycle;
    private final EgressListenerContext serviceListener;
    /** Guarded by {@code this}: the latest list per peer, and the context the table is built from. */
    private final Map<String, ServiceListMessage> lists = new HashMap<>();
    private GatewayContext context;
    private PlaintextListeners plaintext;
    private volatile PeerWatches watches;
    private final AtomicBoolean draining = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();

    private EgressServer(GatewayContext context, Transport transport) {
        this.context = context;
        this.options = context.options();
        this.transport = transport;
        this.accessLog = AccessLog.open(options.accessLog());
        metrics.accessLogDropped(accessLog::dropped);
        this.connections = new DownstreamConnections(options.connectionLimits(), metrics, accessLog);
        this.lifecycle = new GatewayLifecycle(GatewayRole.EGRESS, options, new GatewayHealth(Clock.systemUTC()),
                metrics, connections);
        this.loops = EventLoops.start(transport);
        UpstreamConnector connector = new UpstreamConnector(transport, options.connectTimeout(), loops.resolver());
        this.serviceListener = new EgressListenerContext(EgressRouteTable.empty(), serverContext(context), connector,
                connections, refusals, options.handshakeTimeout().toMillis(), options.maxClientHello());
    }

    /** Local workloads: the egress's certificate, any client of the local trust domain. */
    private static SslContext serverContext(GatewayContext context) {
        return SslContexts.forServer(context.identity(), context.trustBundles(),
                PeerAuthorizer.anyInTrustDomain(context.identity().spiffeId().trustDomain()), context.tlsProvider());
    }

    /**
     * Binds every listener, logging one line per listener. There are no routes until {@link #updateServices}.
     *
     * @throws InterruptedException if interrupted while binding
     */
    public static EgressServer start(GatewayContext context) throws InterruptedException {
        requireNonNull(context, "context");
        Transport transport = Transport.select();
        EgressServer server = new EgressServer(context, transport);
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
        Channel service = serverBootstrap(new ServiceListenerInitializer(serviceListener,
                options.idleTimeout().toMillis()))
                .bind(options.bind(), options.servicePort()).sync().channel();
        trafficListeners.add(service);
        LOG.info(() -> "listening: service " + AdminServer.address(service) + " peers=" + peers + " routes="
                + serviceListener.routes().current().size() + " tls=" + tls + " transport=" + Transport.describe(transport));

        if (options.plaintextPortBase() > 0) {
            plaintext = new PlaintextListeners(options.plaintextPortBase(), (port, serverName) ->
                    serverBootstrap(new PlaintextListenerInitializer(serviceListener, serverName,
                            options.idleTimeout().toMillis()))
                            .bind(options.bind(), port).syncUninterruptibly().channel());
        }

        Channel discovery = new ServerBootstrap()
                .group(loops.acceptors(), loops.workers())
                .channel(transport.serverChannelClass())
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new LocalDiscoveryListenerInitializer(connections, refusals, host -> {
                    PeerWatches current = watches;
                    return current == null ? Optional.empty() : current.proxyFor(host, options.connectTimeout());
                }, options.httpTimeouts()))
                .bind(options.bind(), options.discoveryPort()).sync().channel();
        trafficListeners.add(discovery);
        LOG.info(() -> "listening: discovery " + AdminServer.address(discovery) + " peers=" + peers
                + " (plain HTTP from a local discovery client, forwarded over mTLS)");

        Channel admin = new AdminServer(registry, lifecycle.health())
                .limits(connections, options.httpTimeouts())
                .page("/federation/status", () -> new Page(HttpResponseStatus.OK, "application/json",
                        StatusJson.write(status())))
                .bind(transport, loops.workers(), options.bind(), options.adminPort()).sync().channel();
        adminListener = admin;
        LOG.info(() -> "listening: admin " + AdminServer.address(admin));
        watches = new PeerWatches(loops.workers(), transport, loops.resolver(), this::updateServices, metrics);
        watches.watch(context);
        lifecycle.watchFiles(this::reload);
        lifecycle.health().live(); // after the watch starts: a change seen as ready is never missed
    }

    /** The meters, as the admin listener serves them; for tests in this package. */
    PrometheusMeterRegistry registry() {
        return registry;
    }

    /** The egress's part of each served peer's status: its watch of the peer, and its last refusal of a caller. */
    GatewayStatus status() {
        GatewayContext current;
        synchronized (this) {
            current = context;
        }
        List<PeerStatus> peers = new ArrayList<>();
        for (String peer : current.peerNames()) {
            Optional<WatchStatus> watch = watches == null ? Optional.empty() : watches.status(peer);
            peers.add(new PeerStatus(peer, List.of(), watch.isPresent() ? watch : Optional.of(WatchStatus.INITIAL),
                    refusals.last(peer)));
        }
        return new GatewayStatus(GatewayStatus.podName(options.name()), GatewayRole.EGRESS.label(), options.name(),
                options.namespace(), peers);
    }

    private ServerBootstrap serverBootstrap(ChannelHandler childHandler) {
        return RelayListeners.bootstrap(transport, loops.acceptors(), loops.workers(), childHandler);
    }

    /**
     * Takes {@code peer}'s latest discovered service list (replacing the one before) and swaps in a rebuilt route
     * table; new connections use it, live ones keep their routes. Thread-safe; the discovery client calls it after
     * each verified full list or applied watch event. A peer this egress does not serve is ignored with a warning.
     */
    public synchronized void updateServices(String peer, ServiceListMessage list) {
        requireNonNull(peer, "peer");
        requireNonNull(list, "list");
        if (!context.peerNames().contains(peer)) {
            LOG.warning(() -> "services of peer " + peer + " ignored: this egress does not serve it");
            return;
        }
        lists.put(peer, list);
        EgressRouteTable routes = rebuild();
        LOG.info(() -> "services updated: peer=" + peer + " services=" + list.services().size() + " routes="
                + routes.size());
    }

    private EgressRouteTable rebuild() {
        EgressRouteTable routes = EgressRouteTable.build(context, lists);
        install(routes);
        return routes;
    }

    private void install(EgressRouteTable routes) {
        serviceListener.routes().replace(routes);
        if (plaintext != null) {
            plaintext.update(routes);
        }
    }

    /**
     * Re-reads config and certificates; on success new connections use the new routes and, for local workloads,
     * the new certificate and roots; on failure nothing changes.
     */
    @Override
    public void reload() {
        lifecycle.reload(next -> {
            SslContext serverContext = serverContext(next);
            try {
                synchronized (this) {
                    Map<String, ServiceListMessage> kept = new HashMap<>(lists);
                    kept.keySet().retainAll(next.peerNames());
                    EgressRouteTable routes = EgressRouteTable.build(next, kept); // may refuse: nothing changed yet
                    context = next;
                    lists.keySet().retainAll(next.peerNames());
                    install(routes);
                    ReferenceCountUtil.release(serviceListener.replaceServerContext(serverContext));
                    if (watches != null) {
                        watches.watch(next);
                    }
                }
            } catch (RuntimeException e) {
                ReferenceCountUtil.release(serverContext);
                throw e;
            }
        });
    }

    /** The service listener's bound address. */
    public InetSocketAddress serviceAddress() {
        return (InetSocketAddress) trafficListeners.get(0).localAddress();
    }

    /** The plaintext listeners' addresses by {@code outbound_.<port>_._.<local host>}; empty when off. */
    synchronized Map<String, InetSocketAddress> plaintextAddresses() {
        return plaintext == null ? Map.of() : plaintext.addresses();
    }

    /** Drains: every listener but admin stops accepting, live connections may finish; then closes. */
    @Override
    public void drain() {
        if (draining.compareAndSet(false, true)) {
            List<Channel> accepting = new ArrayList<>(trafficListeners);
            synchronized (this) {
                if (plaintext != null) {
                    accepting.addAll(plaintext.channels());
                }
            }
            lifecycle.drain(accepting, List.of(), this::close);
        }
    }

    @Override
    public void awaitClose() throws InterruptedException {
        lifecycle.awaitClosed();
    }

    @Override
    public synchronized void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        lifecycle.health().draining();
        if (watches != null) {
            watches.close();
        }
        trafficListeners.forEach(Channel::close);
        if (adminListener != null) {
            adminListener.close();
        }
        if (plaintext != null) {
            plaintext.close();
        }
        connections.closeAll();
        loops.close();
        serviceListener.routes().close();
        ReferenceCountUtil.release(serviceListener.serverContext());
        accessLog.close();
        lifecycle.closed();
    }
}
