package io.fedgate.ingress;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;

import io.fedgate.core.listener.ConnectionRecord;
import io.fedgate.core.listener.DownstreamConnections;
import io.fedgate.core.listener.DownstreamReporter;
import io.fedgate.core.listener.HttpRequestTimeoutHandler;
import io.fedgate.core.listener.ProxyProtocolHandler;
import io.fedgate.core.config.PeerConfig;
import io.fedgate.core.spiffe.SpiffeId;
import io.fedgate.core.status.RefusalLog;

/**
 * The pipeline of the discovery listener (8188):
 * {@code tls -> downstream-reporter -> http -> request-timeout -> discovery-access -> discovery}, behind
 * {@code proxy-protocol-decoder -> proxy-protocol} with {@code --proxy-protocol}. TLS verifies the client's chain
 * against the trust bundles but leaves authorization to {@link DiscoveryAccessHandler}, which answers a wrong
 * principal with 403 as the reference does, then closes; {@link HttpRequestTimeoutHandler} closes a connection
 * whose first request is not complete within {@code --request-timeout}, or that is idle between requests for
 * {@code --idle-timeout}; the last handler is the built-in discovery server or the proxy to an external one.
 */
final class DiscoveryListenerInitializer extends ChannelInitializer<SocketChannel> {
    /** The listener's name in logs, metrics and the access log. */
    static final String NAME = "discovery";
    static final String TLS = "tls";
    static final String HTTP = "http";
    static final String DISCOVERY = "discovery";

    /** What changes on reload, swapped whole. */
    record State(SslContext serverContext, Map<SpiffeId, PeerConfig> peersByClientId, Optional<String> onlyPeer) {
        /**
         * @param onlyPeer when one peer is served: the one a failed handshake (which names no peer) is charged to, so
         *                 that its status shows the refusal
         */
        State(SslContext serverContext, Map<SpiffeId, PeerConfig> peersByClientId) {
            this(serverContext, peersByClientId, onlyPeer(peersByClientId));
        }

        private static Optional<String> onlyPeer(Map<SpiffeId, PeerConfig> peersByClientId) {
            List<String> peers = peersByClientId.values().stream().map(PeerConfig::name).distinct().toList();
            return peers.size() == 1 ? Optional.of(peers.get(0)) : Optional.empty();
        }
    }

    private final Supplier<State> state;
    private final Supplier<ChannelHandler> discoveryHandler;
    private final DownstreamConnections connections;
    private final RefusalLog refusals;
    private final long handshakeTimeoutMillis;
    private final HttpRequestTimeoutHandler.Timeouts httpTimeouts;
    private final boolean proxyProtocol;

    /**
     * @param discoveryHandler     a new discovery server handler (or upstream proxy) per connection
     * @param httpTimeouts         bounds to a complete first request and between requests
     */
    DiscoveryListenerInitializer(Supplier<State> state, Supplier<ChannelHandler> discoveryHandler,
                                 DownstreamConnections connections, RefusalLog refusals, long handshakeTimeoutMillis,
                                 HttpRequestTimeoutHandler.Timeouts httpTimeouts, boolean proxyProtocol) {
        this.proxyProtocol = proxyProtocol;
        this.state = requireNonNull(state, "state");
        this.discoveryHandler = requireNonNull(discoveryHandler, "discoveryHandler");
        this.connections = requireNonNull(connections, "connections");
        this.refusals = requireNonNull(refusals, "refusals");
        this.handshakeTimeoutMillis = handshakeTimeoutMillis;
        this.httpTimeouts = requireNonNull(httpTimeouts, "httpTimeouts");
    }

    @Override
    protected void initChannel(SocketChannel channel) {
        ConnectionRecord record = connections.admit(channel, NAME, DownstreamConnections.Budget.DISCOVERY);
        if (record == null) {
            return; // beyond --max-discovery-connections: closed and counted
        }
        State current = state.get();
        ChannelPipeline pipeline = channel.pipeline();
        SslHandler ssl = current.serverContext().newHandler(channel.alloc());
        ssl.setHandshakeTimeoutMillis(handshakeTimeoutMillis);
        pipeline.addLast(TLS, ssl);
        DownstreamReporter reporter = new DownstreamReporter(record, connections, refusals, true);
        current.onlyPeer().ifPresent(reporter::peer);
        pipeline.addLast(DownstreamReporter.NAME, reporter);
        pipeline.addLast(HTTP, new HttpServerCodec());
        pipeline.addLast(HttpRequestTimeoutHandler.NAME, httpTimeouts.newHandler(reporter::refuseRequest));
        pipeline.addLast(DiscoveryAccessHandler.NAME, new DiscoveryAccessHandler(current.peersByClientId(), reporter));
        pipeline.addLast(DISCOVERY, discoveryHandler.get());
        if (proxyProtocol) {
            ProxyProtocolHandler.addFirst(pipeline);
        }
    }
}
