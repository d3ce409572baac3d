package io.fedgate.core.relay;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.ssl.SslCloseCompletionEvent;
import io.netty.util.ReferenceCountUtil;

/**
 * One direction of a {@link Relay}: reads from the channel it sits in and writes to {@code target}.
 *
 * <p>Flow control: every read burst is written without flushing and flushed once at {@code channelReadComplete};
 * the next read is asked for only while {@code target} is writable. When it is not, reading pauses until the
 * target's own relay handler sees it drain ({@code channelWritabilityChanged}) and resumes this one.
 */
final class RelayHandler extends ChannelInboundHandlerAdapter {
    private final Relay relay;
    private final Channel target;
    private ChannelHandlerContext ctx;
    private boolean readPaused;
    private boolean inputDone;
    private long bytesRelayed;

    RelayHandler(Relay relay, Channel target) {
        this.relay = relay;
        this.target = target;
    }

    long bytesRelayed() {
        return bytesRelayed;
    }

    boolean isInputDone() {
        return inputDone;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!target.isActive()) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof ByteBuf) {
            bytesRelayed += ((ByteBuf) msg).readableBytes();
        }
        // Ownership passes to the target's outbound buffer; a failed write releases it and fires exceptionCaught
        // in the target's pipeline, where its relay handler closes both sides.
        target.write(msg, target.voidPromise());
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        target.flush();
        if (inputDone) {
            return;
        }
        if (target.isWritable()) {
            Relay.read(ctx.channel());
        } else {
            readPaused = true;
        }
    }

    /** Our channel drained below its low-water mark: the opposite direction may read again. */
    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable()) {
            relay.opposite(this).resumeReading();
        }
        ctx.fireChannelWritabilityChanged();
    }

    void resumeReading() {
        if (readPaused && !inputDone) {
            readPaused = false;
            Relay.read(ctx.channel());
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        boolean endOfStream = evt == ChannelInputShutdownEvent.INSTANCE
                || evt instanceof SslCloseCompletionEvent && ((SslCloseCompletionEvent) evt).isSuccess();
        if (endOfStream) {
            if (!inputDone) {
                inputDone = true;
                relay.inputDone(this, target);
            }
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        relay.sideClosed(target);
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        relay.failed(ctx.channel(), cause);
    }
}
