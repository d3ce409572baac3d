package io.fedgate.core.relay;

import java.util.ArrayDeque;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.ssl.SslCloseCompletionEvent;
import io.netty.util.ReferenceCountUtil;

/**
 * Holds what a downstream channel reads while its upstream connection is being opened (a TLS handshake may deliver
 * application data in the same read as its last flight), and hands it on, in order, when
 * {@link Relay#start} replaces it. With {@code AUTO_READ} off nothing more is read meanwhile, so the queue holds at
 * most one read burst.
 */
public final class HoldReadsHandler extends ChannelInboundHandlerAdapter {
    /** Name of this handler in a downstream pipeline. */
    public static final String NAME = "hold-reads";

    private final ArrayDeque<Object> held = new ArrayDeque<>(4);

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        held.add(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        // Swallowed: the relay asks for the next read once the upstream is connected.
    }

    /** End-of-stream events are held too, behind the reads they followed, or the relay would never see them. */
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt == ChannelInputShutdownEvent.INSTANCE || evt instanceof SslCloseCompletionEvent) {
            held.add(new HeldEvent(evt));
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        // On replacement by the relay handler, ctx still forwards to the next handler, which is the relay.
        if (!held.isEmpty()) {
            boolean active = ctx.channel().isActive();
            Object msg;
            boolean readsFired = false;
            while ((msg = held.poll()) != null) {
                if (msg instanceof HeldEvent) {
                    if (readsFired) {
                        ctx.fireChannelReadComplete();
                        readsFired = false;
                    }
                    ctx.fireUserEventTriggered(((HeldEvent) msg).event);
                } else if (active) {
                    ctx.fireChannelRead(msg);
                    readsFired = true;
                } else {
                    ReferenceCountUtil.release(msg);
                }
            }
            if (readsFired) {
                ctx.fireChannelReadComplete();
            }
        }
    }

    private static final class HeldEvent {
        final Object event;

        HeldEvent(Object event) {
            this.event = event;
        }
    }
}
