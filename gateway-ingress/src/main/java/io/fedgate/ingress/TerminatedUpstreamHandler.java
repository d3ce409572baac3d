package io.fedgate.ingress;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.concurrent.Future;

import io.fedgate.core.listener.DownstreamReporter;
import io.fedgate.core.relay.UpstreamConnector.NoEndpointReachableException;

/**
 * Terminate mode, after the TLS handshake: once the peer's egress is authenticated, connects to the route's
 * cluster and starts the relay (reads that arrived meanwhile wait in the {@code HoldReadsHandler}). A failed
 * handshake passes on to {@link DownstreamReporter}.
 */
final class TerminatedUpstreamHandler extends ChannelInboundHandlerAdapter {
    static final String NAME = "terminated-upstream";

    private final ServiceListenerContext listener;
    private final IngressRoute route;
    private final DownstreamReporter reporter;

    TerminatedUpstreamHandler(ServiceListenerContext listener, IngressRoute route, DownstreamReporter reporter) {
        this.listener = listener;
        this.route = route;
        this.reporter = reporter;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof SslHandshakeCompletionEvent && ((SslHandshakeCompletionEvent) evt).isSuccess()) {
            Channel downstream = ctx.channel();
            ctx.pipeline().remove(this);
            listener.connectUpstream(downstream, route).addListener((Future<Channel> f) -> {
                if (f.isSuccess()) {
                    listener.startRelay(downstream, f.getNow(), route, reporter);
                } else {
                    String detail = f.cause() instanceof NoEndpointReachableException
                            ? f.cause().getMessage() : String.valueOf(f.cause());
                    reporter.refuse(downstream, DownstreamReporter.UPSTREAM_UNREACHABLE,
                            listener.cluster(route) + ": " + detail);
                }
            });
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }
}
