package io.fedgate.egress;


import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;

import io.fedgate.core.listener.ConnectionRecord;
import io.fedgate.core.listener.DownstreamConnections;
import io.fedgate.core.listener.DownstreamReporter;
import io.fedgate.core.relay.HoldReadsHandler;

/**
 * The pipeline of a plaintext listener, bound to one imported service port for callers outside the mesh:
 * {@code idle -> close-on-idle -> hold-reads -> plaintext-upstream -> downstream-reporter}. On accept it opens the
 * same upstream mTLS connection as the service listener would for {@code outbound_.<port>_._.<local host>}, and the
 * relay then takes the holder's place. The route is looked up per connection, so a discovery update applies to new
 * connections; a port whose service is gone refuses with {@code unknown-sni}.
 */
final class PlaintextListenerInitializer extends ChannelInitializer<SocketChannel> {
    /** The listener's name in logs, metrics and the access log. */
    static final String NAME = "plaintext";
    static final String UPSTREAM = "plaintext-upstream";

    private final EgressListenerContext listener;
    private final String serverName;
    private final long idleTimeoutMillis;

    /** @param serverName {@code outbound_.<port>_._.<local host>}: the route this listener stands for */
    PlaintextListenerInitializer(EgressListenerContext listener, String serverName, long idleTimeoutMillis) {
        this.listener = listener;
        this.serverName = serverName;
        this.idleTimeoutMillis = idleTimeoutMillis;
    }

    @Override
    protected void initChannel(SocketChannel channel) {
        ConnectionRecord record = listener.connections().admit(channel, NAME, DownstreamConnections.Budget.SERVICE);
        if (record == null) {
            return; // beyond the service listeners' budget: closed and counted
        }
        ChannelPipeline pipeline = channel.pipeline();
        ServiceListenerInitializer.addIdleHandlers(pipeline, idleTimeoutMillis);
        DownstreamReporter reporter = new DownstreamReporter(record, listener.connections(), listener.refusals(), false);
        reporter.serverName(serverName);
        pipeline.addLast(HoldReadsHandler.NAME, new HoldReadsHandler());
        pipeline.addLast(UPSTREAM, new ChannelInboundHandlerAdapter() {
            @Override
            public void channelActive(ChannelHandlerContext ctx) {
                ctx.fireChannelActive();
                ctx.pipeline().remove(this);
                EgressRoute route;
                try {
                    route = listener.routes().lease(ctx.channel()).lookup(serverName);
                } catch (io.fedgate.core.listener.RouteRefusedException e) {
                    reporter.refuse(ctx.channel(), e.reason(), e.getMessage());
                    return;
                }
                reporter.peer(route.peer().name());
                listener.connectAndRelay(ctx.channel(), route, reporter);
            }
        });
        pipeline.addLast(DownstreamReporter.NAME, reporter);
    }
}
