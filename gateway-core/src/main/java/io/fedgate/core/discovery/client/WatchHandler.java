package io.fedgate.core.discovery.client;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.ReferenceCountUtil;

/**
 * The watch connection's last handler: sends {@code GET /v1/watch} once the connection is up, reports the answer's
 * status, splits the chunked body into lines (chunks may split or join lines) and hands each line to the client.
 * Reports the connection's end, whatever its cause, exactly once through {@link DiscoveryClient#endWatch}: an answer
 * or chunk the codec cannot decode, a line over the limit, or a stream that ends in the middle of a line ends it as
 * refused data; a stream that ends between lines is the protocol's normal end.
 */
final class WatchHandler extends ChannelInboundHandlerAdapter {
    private final DiscoveryClient client;
    private final DiscoveryClient.Attempt attempt;
    private final int maxLineBytes;
    /** Bytes of an unfinished line; owned by this handler and freed in handlerRemoved. */
    private ByteBuf partial;
    private boolean accepted;

    WatchHandler(DiscoveryClient client, DiscoveryClient.Attempt attempt, int maxLineBytes) {
        this.client = requireNonNull(client, "client");
        this.attempt = requireNonNull(attempt, "attempt");
        this.maxLineBytes = maxLineBytes;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        // The SslHandler holds this write back until the handshake completes.
        ctx.writeAndFlush(client.request(DiscoveryClient.WATCH_PATH));
        ctx.fireChannelActive();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof SslHandshakeCompletionEvent handshake && !handshake.isSuccess()) {
            client.endWatch(attempt, DiscoveryClient.failure(handshake.cause(), true));
            ctx.close();
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (msg instanceof HttpResponse response) {
                HttpResponseStatus status = response.status();
                if (response.decoderResult().isFailure()) {
                    fail(ctx, DiscoveryClient.decodeFailure("watch response", response.decoderResult().cause()));
                    return;
                }
                if (status.code() != HttpResponseStatus.OK.code()) {
                    fail(ctx, DiscoveryClient.Failure.text(status.toString()));
                    return;
                }
                accepted = true;
                client.watchAccepted(attempt);
            }
            if (accepted && msg instanceof HttpContent content) {
                splitLines(ctx, content.content());
                if (!ctx.channel().isOpen()) {
                    return;
                }
                Throwable broken = content.decoderResult().cause();
                if (broken != null && !(broken instanceof PrematureChannelClosureException)) {
                    fail(ctx, DiscoveryClient.decodeFailure("watch stream", broken)); // A bad chunk, not an end.
                } else if (msg instanceof LastHttpContent) {
                    // A stream cut without its last chunk is how a watch usually ends; only a cut line is refused.
                    fail(ctx, ended());
                }
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void splitLines(ChannelHandlerContext ctx, ByteBuf in) {
        while (in.isReadable() && ctx.channel().isOpen()) {
            int newline = in.indexOf(in.readerIndex(), in.writerIndex(), (byte) '\n');
            int end = newline < 0 ? in.writerIndex() : newline;
            int length = end - in.readerIndex();
            if ((partial == null ? 0 : partial.readableBytes()) + length > maxLineBytes) {
                fail(ctx, DiscoveryClient.Failure.refused(DiscoveryClient.TOO_LARGE,
                        "watch event longer than " + maxLineBytes + " bytes"));
                return;
            }
            if (partial == null) {
                partial = ctx.alloc().heapBuffer(Math.max(256, length));
            }
            partial.writeBytes(in, length);
            if (newline < 0) {
                return;
            }
            in.skipBytes(1); // The '\n'.
            int lineEnd = partial.writerIndex();
            if (lineEnd > partial.readerIndex() && partial.getByte(lineEnd - 1) == '\r') {
                lineEnd--;
            }
            String line = partial.toString(partial.readerIndex(), lineEnd - partial.readerIndex(),
                    StandardCharsets.UTF_8);
            partial.clear();
            client.watchLine(attempt, line);
        }
    }

    private void fail(ChannelHandlerContext ctx, DiscoveryClient.Failure failure) {
        client.endWatch(attempt, failure);
        ctx.close();
    }

    /** The end of an accepted stream: normal between lines, truncated data in the middle of one. */
    private DiscoveryClient.Failure ended() {
        if (partial != null && partial.isReadable()) {
            return DiscoveryClient.Failure.refused(DiscoveryClient.TRUNCATED, "watch stream ended in the middle of an "
                    + "event, after " + partial.readableBytes() + " bytes of it");
        }
        return DiscoveryClient.Failure.text(DiscoveryClient.STREAM_ENDED);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        client.endWatch(attempt, DiscoveryClient.failure(cause, false));
        ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        client.endWatch(attempt, accepted ? ended()
                : DiscoveryClient.Failure.text("connection closed before the watch was answered"));
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (partial != null) {
            partial.release();
            partial = null;
        }
    }
}
