package io.fedgate.egress;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;

import io.fedgate.core.listener.DownstreamReporter;

/**
 * After the local workload's TLS handshake: opens mTLS to the route's peer and starts the relay once that
 * handshake completed too (reads that arrived meanwhile wait in the {@code HoldReadsHandler}). A failed handshake
 * passes on to {@link DownstreamReporter}.
 */
final class TerminatedUpstreamHandler extends ChannelInboundHandlerAdapter {
    static final String NAME = "terminated-upstream";

    private final EgressListenerContext listener;
    private final EgressRoute route;
    private final DownstreamReporter reporter;

    TerminatedUpstreamHandler(EgressListenerContext listener, EgressRoute route, DownstreamReporter reporter) {
        this.listener = listener;
        this.route = route;
        this.reporter = reporter;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof SslHandshakeCompletionEvent && ((SslHandshakeCompletionEvent) evt).isSuccess()) {
            ctx.pipeline().remove(this);
            listener.connectAndRelay(ctx.channel(), route, reporter);
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }
}
