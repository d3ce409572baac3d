package io.fedgate.egress;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.logging.Logger;

import io.netty.channel.ChannelHandler;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.ssl.SslContext;
import io.netty.resolver.AddressResolverGroup;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.DefaultThreadFactory;

import io.fedgate.core.config.HostPort;
import io.fedgate.core.config.PeerConfig;
import io.fedgate.core.discovery.DiscoveryUpstreamProxy;
import io.fedgate.core.discovery.ServiceListMessage;
import io.fedgate.core.discovery.client.DiscoveryClient;
import io.fedgate.core.discovery.client.WatchStatus;
import io.fedgate.core.gateway.GatewayContext;
import io.fedgate.core.metrics.GatewayMetrics;
import io.fedgate.core.tls.SslContexts;
import io.fedgate.core.transport.Transport;
import io.fedgate.core.trust.PeerAuthorizer;

/**
 * The egress's watches of its peers: one {@link DiscoveryClient} per served peer, whose every verified list is
 * handed to the route table. Lists arrive on event loops; the route table is rebuilt on a thread of its own, since
 * rebuilding may bind or close plaintext listeners and an event loop must not wait for that.
 */
final class PeerWatches implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(PeerWatches.class.getName());

    private final EventLoopGroup group;
    private final Transport transport;
    private final AddressResolverGroup<?> resolver;
    private final BiConsumer<String, ServiceListMessage> onServices;
    private final GatewayMetrics metrics;
    private final ExecutorService updates =
            Executors.newSingleThreadExecutor(new DefaultThreadFactory("fedgate-routes", true));
    /** Replaced whole under {@code this}; read without locking (event loops must not wait on a reload). */
    private volatile Map<String, Watch> watches = Map.of();

    private record Watch(PeerConfig peer, DiscoveryClient client, SslContext sslContext, AtomicInteger next) {
    }

    PeerWatches(EventLoopGroup group, Transport transport, AddressResolverGroup<?> resolver,
                BiConsumer<String, ServiceListMessage> onServices, GatewayMetrics metrics) {
        this.group = requireNonNull(group, "group");
        this.metrics = requireNonNull(metrics, "metrics");
        this.transport = requireNonNull(transport, "transport");
        this.resolver = requireNonNull(resolver, "resolver");
        this.onServices = requireNonNull(onServices, "onServices");
    }

    /** Watches every peer of {@code context}, replacing the watches of an earlier context. */
    synchronized void watch(GatewayContext context) {
        closeWatches();
        Map<String, Watch> started = new LinkedHashMap<>();
        for (PeerConfig peer : context.peers()) {
            // The peer's discovery server is its ingress, whose name we cannot know: any identity of its trust domain,
            // chaining to its root, is accepted; the service traffic is held to the exact serviceAccounts.
            SslContext sslContext = SslContexts.forClient(context.identity(), context.trustBundles(),
                    PeerAuthorizer.anyInTrustDomain(peer.security().trustDomain()), context.tlsProvider());
            DiscoveryClient client = DiscoveryClient.builder(peer, sslContext, group, transport)
                    .connectTimeout(context.options().connectTimeout())
                    .resolver(resolver)
                    .listener(list -> updates.execute(() -> onServices.accept(peer.name(), list)))
                    .resyncs(cause -> metrics.discoveryResync(peer.name(), cause))
                    .refusals(cause -> metrics.discoveryDataRefused(peer.name(), cause))
                    .build();
            metrics.watchConnected(peer.name(), () -> {
                Watch watch = watches.get(peer.name());
                return watch != null && watch.client().status().connected();
            });
            started.put(peer.name(), new Watch(peer, client, sslContext, new AtomicInteger()));
            client.start();
            LOG.info(() -> "watching peer " + peer.name() + " at " + peer.remote().addresses() + " port "
                    + peer.remote().discoveryPort());
        }
        watches = Map.copyOf(started);
    }

    /**
     * A proxy forwarding a local discovery client's requests over mTLS to the peer whose discovery service host is
     * {@code serviceHost} ({@code discovery.<ns>.svc.<peer>.local}), spreading connections over its addresses.
     */
    Optional<ChannelHandler> proxyFor(String serviceHost, Duration connectTimeout) {
        for (Watch watch : watches.values()) {
            if (DiscoveryClient.serviceHost(watch.peer()).equalsIgnoreCase(serviceHost.trim())) {
                List<String> addresses = watch.peer().remote().addresses();
                String address = addresses.get(Math.floorMod(watch.next().getAndIncrement(), addresses.size()));
                return Optional.of(new DiscoveryUpstreamProxy(new HostPort(address, watch.peer().remote().discoveryPort()),
                        transport.socketChannelClass(), connectTimeout, watch.sslContext(),
                        DiscoveryClient.serviceHost(watch.peer())).resolver(resolver));
            }
        }
        return Optional.empty();
    }

    /** The outbound watch of {@code peer}, if it is watched. */
    Optional<WatchStatus> status(String peer) {
        Watch watch = watches.get(peer);
        return watch == null ? Optional.empty() : Optional.of(watch.client().status());
    }

    private void closeWatches() {
        Map<String, Watch> closing = watches;
        watches = Map.of();
        closing.values().forEach(watch -> {
            watch.client().close();
            ReferenceCountUtil.release(watch.sslContext());
        });
    }

    @Override
    public synchronized void close() {
        closeWatches();
        updates.shutdownNow();
    }
}
