package io.fedgate.core.relay;

import java.util.logging.Logger;

import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleStateEvent;

/**
 * Policy half of the idle timeout: {@link io.netty.handler.timeout.IdleStateHandler} notices a connection that moved
 * no bytes either way for the idle timeout, and this handler closes it (which closes its relay partner too).
 */
@Sharable
public final class CloseOnIdleHandler extends ChannelInboundHandlerAdapter {
    /** Stateless, so one instance serves every pipeline. */
    public static final CloseOnIdleHandler INSTANCE = new CloseOnIdleHandler();

    private static final Logger LOG = Logger.getLogger(CloseOnIdleHandler.class.getName());

    private CloseOnIdleHandler() {
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent) {
            LOG.fine(() -> "idle timeout: closing " + ctx.channel());
            ctx.close();
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }
}
