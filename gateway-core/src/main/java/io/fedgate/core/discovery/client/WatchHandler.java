package io.fedgate.core.discovery.client;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.ReferenceCountUtil;

/**
 * The watch connection's last handler: sends {@code GET /v1/watch} once the connection is up, reports the answer's
 * status, splits the chunked body into lines (chunks may split or join lines) and hands each line to the client.
 * Reports the connection's end, whatever its cause, exactly once through {@link DiscoveryClient#endWatch}.
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
                    fail(ctx, "malformed response: " + response.decoderResult().cause());
                    return;
                }
                if (status.code() != HttpResponseStatus.OK.code()) {
                    fail(ctx, status.toString());
                    return;
                }
                accepted = true;
                client.watchAccepted(attempt);
            }
            if (accepted && msg instanceof HttpContent content) {
                splitLines(ctx, content.content());
                if (msg instanceof LastHttpContent && ctx.channel().isOpen()) {
                    client.endWatch(attempt, DiscoveryClient.Failure.text(DiscoveryClient.STREAM_ENDED));
                    ctx.close();
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
            if (partial == null) {
                partial = ctx.alloc().heapBuffer(Math.max(256, length));
            }
            if (partial.readableBytes() + length > maxLineBytes) {
                fail(ctx, "watch event longer than " + maxLineBytes + " bytes");
                return;
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

    private void fail(ChannelHandlerContext ctx, String text) {
        client.endWatch(attempt, DiscoveryClient.Failure.text(text));
        ctx.close();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        client.endWatch(attempt, DiscoveryClient.failure(cause, false));
        ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        client.endWatch(attempt, DiscoveryClient.Failure.text(
                accepted ? DiscoveryClient.STREAM_ENDED : "connection closed before the watch was answered"));
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
