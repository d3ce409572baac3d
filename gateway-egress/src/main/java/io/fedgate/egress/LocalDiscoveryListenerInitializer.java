package io.fedgate.egress;

import static java.util.Objects.requireNonNull;

import java.util.Optional;
import java.util.function.Function;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;

import io.fedgate.core.listener.ConnectionRecord;
import io.fedgate.core.listener.DownstreamConnections;
import io.fedgate.core.listener.DownstreamReporter;
import io.fedgate.core.listener.HttpRequestTimeoutHandler;
import io.fedgate.core.status.RefusalLog;

/**
 * The pipeline of the egress's local discovery listener (plain HTTP from a local discovery client, forwarded over
 * mTLS to the peer): {@code http -> request-timeout -> discovery-router [-> discovery-proxy]}. Its connections draw
 * on the discovery budget, and one whose first request is not complete within {@code --request-timeout}, or that is
 * idle between requests for {@code --idle-timeout}, is closed.
 */
final class LocalDiscoveryListenerInitializer extends ChannelInitializer<SocketChannel> {
    /** The listener's name in logs, metrics and the access log. */
    static final String NAME = "discovery";

    private final DownstreamConnections connections;
    private final RefusalLog refusals;
    private final Function<String, Optional<ChannelHandler>> proxyFor;
    private final HttpRequestTimeoutHandler.Timeouts httpTimeouts;

    /** @param proxyFor a proxy to the peer whose discovery service host is given, if this egress serves one */
    LocalDiscoveryListenerInitializer(DownstreamConnections connections, RefusalLog refusals,
                                      Function<String, Optional<ChannelHandler>> proxyFor,
                                      HttpRequestTimeoutHandler.Timeouts httpTimeouts) {
        this.connections = requireNonNull(connections, "connections");
        this.refusals = requireNonNull(refusals, "refusals");
        this.proxyFor = requireNonNull(proxyFor, "proxyFor");
        this.httpTimeouts = requireNonNull(httpTimeouts, "httpTimeouts");
    }

    @Override
    protected void initChannel(SocketChannel channel) {
        ConnectionRecord record = connections.admit(channel, NAME, DownstreamConnections.Budget.DISCOVERY);
        if (record == null) {
            return; // beyond --max-discovery-connections: closed and counted
        }
        // No TLS to report on: the reporter is kept only to log and count a request that never came.
        DownstreamReporter reporter = new DownstreamReporter(record, connections, refusals, true);
        ChannelPipeline pipeline = channel.pipeline();
        pipeline.addLast(LocalDiscoveryRouter.HTTP, new HttpServerCodec());
        pipeline.addLast(HttpRequestTimeoutHandler.NAME, httpTimeouts.newHandler(reporter::refuseRequest));
        pipeline.addLast(LocalDiscoveryRouter.NAME, new LocalDiscoveryRouter(proxyFor));
    }
}
