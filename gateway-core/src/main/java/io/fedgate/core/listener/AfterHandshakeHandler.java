package io.fedgate.core.listener;

import static java.util.Objects.requireNonNull;

import java.util.function.Consumer;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;

/**
 * Terminate mode, after the downstream's TLS handshake: once the peer is authenticated, passes the event on, steps
 * out of the pipeline and runs the action (connect upstream, then relay; reads that arrive meanwhile wait in a {@code HoldReadsHandler}). A
 * failed handshake passes on to {@link DownstreamReporter}.
 */
public final class AfterHandshakeHandler extends ChannelInboundHandlerAdapter {
    /** Name of this handler in a service-listener pipeline. */
    public static final String NAME = "connect-after-handshake";

    private final Consumer<Channel> action;

    /** @param action runs once, on the event loop, with the downstream channel */
    public AfterHandshakeHandler(Consumer<Channel> action) {
        this.action = requireNonNull(action, "action");
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof SslHandshakeCompletionEvent && ((SslHandshakeCompletionEvent) evt).isSuccess()) {
            ctx.fireUserEventTriggered(evt); // the reporter records the handshake (duration, peer SPIFFE ID)
            ctx.pipeline().remove(this);
            action.accept(ctx.channel());
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }
}
