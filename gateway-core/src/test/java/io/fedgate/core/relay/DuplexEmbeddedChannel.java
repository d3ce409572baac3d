package io.fedgate.core.relay;

import java.nio.charset.StandardCharsets;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.DuplexChannel;

/**
 * An {@code EmbeddedChannel} that can be half-closed like a socket, so that the relay's {@code shutdownOutput} is
 * seen: it records the shutdown and how many written bytes had reached the "wire" before it. While
 * {@linkplain #stall() stalled} its "socket" takes nothing written, as a slow peer's would not, so what is written stays
 * queued in the channel's outbound buffer (counting against its write-buffer water marks) and its write futures
 * pending. Not registered on construction; register it on the event loop it is to share.
 */
final class DuplexEmbeddedChannel extends EmbeddedChannel implements DuplexChannel {
    private boolean inputShutdown;
    private boolean outputShutdown;
    /** How many bytes had been written out when the output was shut down, or -1 before. */
    private long bytesBeforeShutdown = -1;
    private boolean stalled;

    DuplexEmbeddedChannel() {
        super(false, false);
    }

    /** From now on the peer takes nothing written. */
    void stall() {
        stalled = true;
    }

    /** The peer takes everything queued, and from now on all that is written. */
    void drain() {
        stalled = false;
        flush();
    }

    @Override
    protected void doWrite(ChannelOutboundBuffer in) throws Exception {
        if (!stalled) {
            super.doWrite(in);
        }
    }

    long bytesBeforeShutdown() {
        return bytesBeforeShutdown;
    }

    /** What was written out so far, as ASCII, every buffer released (the relay's empty flush markers included). */
    String readOutboundText() {
        StringBuilder text = new StringBuilder();
        for (ByteBuf out; (out = readOutbound()) != null; ) {
            text.append(out.toString(StandardCharsets.US_ASCII));
            out.release();
        }
        return text.toString();
    }

    @Override
    public boolean isInputShutdown() {
        return inputShutdown;
    }

    @Override
    public ChannelFuture shutdownInput() {
        return shutdownInput(newPromise());
    }

    @Override
    public ChannelFuture shutdownInput(ChannelPromise promise) {
        inputShutdown = true;
        return promise.setSuccess();
    }

    @Override
    public boolean isOutputShutdown() {
        return outputShutdown;
    }

    @Override
    public ChannelFuture shutdownOutput() {
        return shutdownOutput(newPromise());
    }

    @Override
    public ChannelFuture shutdownOutput(ChannelPromise promise) {
        if (!outputShutdown) {
            outputShutdown = true;
            bytesBeforeShutdown = outboundMessages().stream()
                    .mapToLong(msg -> msg instanceof ByteBuf ? ((ByteBuf) msg).readableBytes() : 0).sum();
        }
        return promise.setSuccess();
    }

    @Override
    public boolean isShutdown() {
        return inputShutdown && outputShutdown;
    }

    @Override
    public ChannelFuture shutdown() {
        return shutdown(newPromise());
    }

    @Override
    public ChannelFuture shutdown(ChannelPromise promise) {
        shutdownInput();
        return shutdownOutput(promise);
    }
}
