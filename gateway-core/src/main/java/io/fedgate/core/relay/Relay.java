package io.fedgate.core.relay;

import static java.util.Objects.requireNonNull;

import java.util.function.Consumer;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.DuplexChannel;

/**
 * One relayed connection: a downstream channel (accepted) joined to an upstream channel (connected), bytes copied
 * neither in Java nor twice in Netty: each {@code ByteBuf} read on one side is written, as is, to the other.
 *
 * <p>Both channels must run with {@code AUTO_READ} off, {@code ALLOW_HALF_CLOSURE} on, and on the same event loop:
 * then every field here is touched by one thread only and needs no {@code volatile}. Reads are driven by the other
 * side's writability (see {@link RelayHandler}), so a slow reader on one side stops reading on the other and the
 * memory a connection holds stays within its write-buffer high-water mark plus one read burst.
 *
 * <p>End of stream is propagated one direction at a time (half-close): when one side stops sending (a TCP FIN, or a
 * TLS close_notify), the other side's output is shut down, and the relay closes both channels once neither side has
 * anything left to send, or as soon as either fails.
 */
public final class Relay {
    /** Name of the relay handler in both pipelines. */
    public static final String HANDLER_NAME = "relay";

    private final Channel downstream;
    private final Channel upstream;
    private final RelayHandler downstreamHandler;
    private final RelayHandler upstreamHandler;
    private final long startNanos = System.nanoTime();
    private Consumer<Relay> onClose;
    private boolean closed;
    private Throwable failure;

    private Relay(Channel downstream, Channel upstream) {
        this.downstream = downstream;
        this.upstream = upstream;
        this.downstreamHandler = new RelayHandler(this, upstream);
        this.upstreamHandler = new RelayHandler(this, downstream);
    }

    /**
     * Joins {@code downstream} to a connected {@code upstream} and starts reading both. Call on their (shared)
     * event loop. If the downstream pipeline has a {@link HoldReadsHandler}, the relay takes its place and sends
     * what it held upstream first; otherwise the relay is added last.
     *
     * @param onClose called once, on the event loop, when both channels are closed; for access logs and metrics
     */
    public static Relay start(Channel downstream, Channel upstream, Consumer<Relay> onClose) {
        requireNonNull(downstream, "downstream");
        requireNonNull(upstream, "upstream");
        if (!downstream.eventLoop().inEventLoop() || downstream.eventLoop() != upstream.eventLoop()) {
            throw new IllegalStateException("a relay runs on the event loop its two channels share");
        }
        Relay relay = new Relay(downstream, upstream);
        relay.onClose = requireNonNull(onClose, "onClose");
        upstream.pipeline().addLast(HANDLER_NAME, relay.upstreamHandler);
        ChannelPipeline pipeline = downstream.pipeline();
        HoldReadsHandler hold = pipeline.get(HoldReadsHandler.class);
        if (hold != null) {
            // Replacing the holder hands its queued reads to the relay handler, which writes them upstream.
            pipeline.replace(hold, HANDLER_NAME, relay.downstreamHandler);
        } else {
            pipeline.addLast(HANDLER_NAME, relay.downstreamHandler);
        }
        // Only accounting here: closing the other side is the relay handlers' job (channelInactive), which first lets
        // that side send what it was given. Closing it straight from a close future raced that, and cut the tail of
        // a stream whenever the peer closed right after its last bytes.
        downstream.closeFuture().addListener(f -> relay.channelClosed());
        upstream.closeFuture().addListener(f -> relay.channelClosed());
        read(upstream);
        read(downstream);
        return relay;
    }

    public Channel downstream() {
        return downstream;
    }

    public Channel upstream() {
        return upstream;
    }

    /** Bytes read from downstream and written upstream so far. */
    public long bytesFromDownstream() {
        return downstreamHandler.bytesRelayed();
    }

    /** Bytes read from upstream and written downstream so far. */
    public long bytesFromUpstream() {
        return upstreamHandler.bytesRelayed();
    }

    /** Nanoseconds since the relay started. */
    public long durationNanos() {
        return System.nanoTime() - startNanos;
    }

    /** The error that ended the relay, or {@code null} when it ended by both sides finishing or closing. */
    public Throwable failure() {
        return failure;
    }

    /** The handler reading from the other side than {@code handler}'s. */
    RelayHandler opposite(RelayHandler handler) {
        return handler == downstreamHandler ? upstreamHandler : downstreamHandler;
    }

    /** {@code source} will send nothing more: shut {@code target}'s output once what was written has gone. */
    void inputDone(RelayHandler source, Channel target) {
        if (opposite(source).isInputDone()) {
            // Neither side has anything left to send.
            afterWritten(target).addListener(f -> closeBoth());
            return;
        }
        afterWritten(target).addListener((ChannelFutureListener) f -> {
            if (f.isSuccess()) {
                shutdownOutput(target);
            }
        });
    }

    /** One side failed or closed: flush what the other side still has to send, then close both. */
    void sideClosed(Channel target) {
        if (target.isActive()) {
            afterWritten(target).addListener(f -> closeBoth());
        } else {
            closeBoth();
        }
    }

    /**
     * Flushes {@code channel} and returns a future that completes once every byte written to it so far has reached
     * the socket. Shutting down or closing a channel fails what is still queued, and a TLS handler completes the
     * promise of an empty write before its encrypted records have gone out; so the marker is an empty write queued
     * below every handler, behind those records.
     */
    private static ChannelFuture afterWritten(Channel channel) {
        channel.flush();
        ChannelHandlerContext first = channel.pipeline().firstContext();
        return first == null ? channel.writeAndFlush(Unpooled.EMPTY_BUFFER)
                : first.writeAndFlush(Unpooled.EMPTY_BUFFER);
    }

    /**
     * {@code failedSide} failed (a reset, a TLS error): what the other side still has queued was already read and
     * is sent before both close, as when a side closes.
     */
    void failed(Channel failedSide, Throwable cause) {
        if (failure == null) {
            failure = cause;
        }
        sideClosed(failedSide == downstream ? upstream : downstream);
    }

    /** Reports the relay closed once both channels are. */
    private void channelClosed() {
        if (!closed && !downstream.isOpen() && !upstream.isOpen()) {
            closed = true;
            onClose.accept(this);
        }
    }

    private void closeBoth() {
        if (!downstream.eventLoop().inEventLoop()) {
            downstream.eventLoop().execute(this::closeBoth);
            return;
        }
        downstream.close();
        upstream.close();
        channelClosed();
    }

    /**
     * Asks for the next read unless the channel's input has ended: epoll refuses to re-arm reads on a socket whose
     * input is shut down (a half-closed connection), and there is nothing left to read anyway.
     */
    static void read(Channel channel) {
        if (!(channel instanceof DuplexChannel) || !((DuplexChannel) channel).isInputShutdown()) {
            channel.read();
        }
    }

    /**
     * Ends a channel's output without ending its input, with a TCP FIN, also under TLS: once netty-tcnative has sent
     * its own close_notify it unwraps nothing more, so a close_notify here would drop what the other end still
     * sends. The TLS close_notify goes out when the relay closes the channel.
     */
    private static void shutdownOutput(Channel channel) {
        if (channel instanceof DuplexChannel) {
            ((DuplexChannel) channel).shutdownOutput();
        }
    }
}
