package io.fedgate.core.listener;

import static java.util.Objects.requireNonNull;

import java.util.concurrent.TimeUnit;

import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.concurrent.ScheduledFuture;

/**
 * Bounds how long an HTTP/1.1 server connection may hold a gateway's room without asking for anything, so that a
 * client that sends half a request line and goes silent cannot pin the listener: the first request head must be
 * complete within {@code requestTimeout} of the connection's start (restarted when its TLS handshake completes;
 * Envoy's {@code request_headers_timeout}, HAProxy's {@code timeout http-request}), and, once every request was
 * answered, the next one must begin within {@code idleTimeout} (Envoy's connection {@code idle_timeout}). While a
 * request is in progress (its head read, its response not yet complete) nothing is timed: a discovery watch streams
 * for hours.
 *
 * <p>A first request that never completes is a refusal, handed to the {@link Refusal} with reason
 * {@code request-timeout}; an idle connection between requests is simply closed. Put it right after the HTTP
 * server codec, which passes it complete request heads and sees its responses' ends on the way out. Confined to the
 * channel's event loop.
 */
public final class HttpRequestTimeoutHandler extends ChannelDuplexHandler {
    public static final String NAME = "request-timeout";

    /**
     * A listener's two bounds, built once from the options.
     *
     * @param requestMillis bound from the connection's start (or its TLS handshake's end) to a complete first
     *                      request head
     * @param idleMillis    bound from the end of the last response to the start of the next request
     */
    public record Timeouts(long requestMillis, long idleMillis) {
        public Timeouts {
            if (requestMillis <= 0 || idleMillis <= 0) {
                throw new IllegalArgumentException("timeouts: " + requestMillis + " ms, " + idleMillis
                        + " ms (expected: > 0)");
            }
        }

        /** A handler for one connection, refusing a silent one through {@code refusal}. */
        public HttpRequestTimeoutHandler newHandler(Refusal refusal) {
            return new HttpRequestTimeoutHandler(this, refusal);
        }
    }

    /** Told about a connection refused for its silence, before this handler closes it. */
    @FunctionalInterface
    public interface Refusal {
        void refuse(Channel channel, String reason, String detail);
    }

    private final long requestTimeoutMillis;
    private final long idleTimeoutMillis;
    private final Refusal refusal;
    /** Requests whose head arrived and whose response has not ended yet. */
    private int inProgress;
    private boolean answeredAny;
    private ScheduledFuture<?> timeout;

    public HttpRequestTimeoutHandler(Timeouts timeouts, Refusal refusal) {
        this.requestTimeoutMillis = timeouts.requestMillis();
        this.idleTimeoutMillis = timeouts.idleMillis();
        this.refusal = requireNonNull(refusal, "refusal");
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        if (ctx.channel().isActive()) {
            arm(ctx, requestTimeoutMillis);
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        arm(ctx, requestTimeoutMillis);
        super.channelActive(ctx);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof SslHandshakeCompletionEvent handshake && handshake.isSuccess() && !answeredAny
                && inProgress == 0) {
            arm(ctx, requestTimeoutMillis); // the handshake had its own bound; the request gets the whole of its own
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (msg instanceof HttpRequest) {
            inProgress++;
            cancel();
        }
        super.channelRead(ctx, msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
        if (msg instanceof LastHttpContent && inProgress > 0) {
            inProgress--;
            answeredAny = true;
            if (inProgress == 0) {
                arm(ctx, idleTimeoutMillis);
            }
        }
        super.write(ctx, msg, promise);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        cancel();
        super.channelInactive(ctx);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        cancel();
    }

    private void arm(ChannelHandlerContext ctx, long millis) {
        cancel();
        timeout = ctx.executor().schedule(() -> expired(ctx, millis), millis, TimeUnit.MILLISECONDS);
    }

    private void expired(ChannelHandlerContext ctx, long millis) {
        timeout = null;
        if (inProgress > 0 || !ctx.channel().isOpen()) {
            return;
        }
        if (!answeredAny) {
            refusal.refuse(ctx.channel(), DownstreamRefusal.REQUEST_TIMEOUT.code(), "no complete request within " + millis + " ms");
        }
        ctx.close();
    }

    private void cancel() {
        if (timeout != null) {
            timeout.cancel(false);
            timeout = null;
        }
    }
}
