package io.fedgate.core.internal.discovery;

import static java.util.Objects.requireNonNull;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

import io.fedgate.core.discovery.DiscoveryJson;
import io.fedgate.core.discovery.DiscoveryServer;
import io.fedgate.core.discovery.DiscoveryWatcher;
import io.fedgate.core.discovery.WatchEvent;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.ScheduledFuture;

/**
 * One open {@code /v1/watch/<peer>} response: writes each event the {@link DiscoveryServer} reports as one chunk,
 * on the channel's event loop, and ends the response with the last chunk when the server ends the watch.
 *
 * <p>Flow control: events are never dropped or merged, so a watcher that stops reading makes its channel unwritable.
 * The stream then bounds what it buffers: once the channel has been unwritable for {@code maxUnwritableNanos}, or
 * more than {@code maxPendingBytes} wait to be written, the connection is closed; the client reconnects and fetches
 * the full list, losing nothing.
 *
 * <p>Threading: {@link #onEvent} and {@link #onEnd} are called by the server from any thread, under its lock; they
 * only schedule work on the event loop. Every other method and all state are confined to the event loop.
 */
public final class WatchStream implements DiscoveryWatcher {
    private final ChannelHandlerContext ctx;
    private final long maxUnwritableNanos;
    private final long maxPendingBytes;
    private DiscoveryServer.Watch watch;
    private ScheduledFuture<?> unwritableTimeout;
    private boolean finished;

    /**
     * A stream on {@code ctx}'s channel.
     *
     * @param maxUnwritableNanos how long the channel may stay unwritable before it is closed
     * @param maxPendingBytes how many bytes beyond the low write watermark may wait before it is closed
     */
    public WatchStream(ChannelHandlerContext ctx, long maxUnwritableNanos, long maxPendingBytes) {
        this.ctx = requireNonNull(ctx, "ctx");
        this.maxUnwritableNanos = maxUnwritableNanos;
        this.maxPendingBytes = maxPendingBytes;
    }

    /** Attaches the registration to close when the stream finishes. Call on the event loop, before any event runs. */
    public void registered(DiscoveryServer.Watch watch) {
        this.watch = requireNonNull(watch, "watch");
    }

    @Override
    public void onEvent(WatchEvent event) {
        execute(() -> write(event));
    }

    @Override
    public void onEnd() {
        execute(this::end);
    }

    /** The channel's writability changed: a channel writable again is no longer timed. */
    public void writabilityChanged() {
        if (ctx.channel().isWritable()) {
            cancelTimeout();
        }
    }

    /** The channel closed or the handler left: unregisters from the server. Idempotent. */
    public void finish() {
        if (finished) {
            return;
        }
        finished = true;
        cancelTimeout();
        if (watch != null) {
            watch.close();
        }
    }

    /** Whether the stream is over (ended, closed, or cut for slowness). */
    public boolean isFinished() {
        return finished;
    }

    private void execute(Runnable task) {
        try {
            ctx.executor().execute(task);
        } catch (RejectedExecutionException e) {
            // The event loop is shutting down, taking the channel with it; its close unregisters the watch.
        }
    }

    private void write(WatchEvent event) {
        if (finished || !ctx.channel().isActive()) {
            return;
        }
        ByteBuf line = DiscoveryJson.encodeLine(event, ctx.alloc());
        ctx.writeAndFlush(new DefaultHttpContent(line)); // The chunk (and the buffer) now belong to the pipeline.
        if (!ctx.channel().isWritable()) {
            if (ctx.channel().bytesBeforeWritable() > maxPendingBytes) {
                cutOff();
            } else if (unwritableTimeout == null) {
                unwritableTimeout = ctx.executor().schedule(this::checkStillUnwritable, maxUnwritableNanos,
                        TimeUnit.NANOSECONDS);
            }
        }
    }

    private void checkStillUnwritable() {
        unwritableTimeout = null;
        if (!finished && !ctx.channel().isWritable()) {
            cutOff();
        }
    }

    private void cutOff() {
        finish();
        ctx.close();
    }

    private void end() {
        if (finished) {
            return;
        }
        finish();
        ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener(ChannelFutureListener.CLOSE);
    }

    private void cancelTimeout() {
        if (unwritableTimeout != null) {
            unwritableTimeout.cancel(false);
            unwritableTimeout = null;
        }
    }
}
