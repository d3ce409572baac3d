package io.fedgate.core.discovery.client;

import static java.util.Objects.requireNonNull;

import io.fedgate.core.discovery.DiscoveryFormatException;
import io.fedgate.core.discovery.DiscoveryJson;
import io.fedgate.core.discovery.ServiceListMessage;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.ReferenceCountUtil;

/**
 * The full-sync connection's last handler, after an {@code HttpObjectAggregator}: sends {@code GET /v1/services/},
 * parses and validates the aggregated answer and reports the list, or the failure, to the client exactly once. An
 * answer that is too large, truncated, not HTTP or JSON, or schema-invalid is reported as refused data.
 */
final class FullSyncHandler extends ChannelInboundHandlerAdapter {
    private final DiscoveryClient client;
    private final DiscoveryClient.Attempt attempt;
    // Seen by progress(), before the aggregator; same event loop.
    private long answerBytes;
    private long answerLength = -1;

    FullSyncHandler(DiscoveryClient client, DiscoveryClient.Attempt attempt) {
        this.client = requireNonNull(client, "client");
        this.attempt = requireNonNull(attempt, "attempt");
    }

    /**
     * A handler for before the aggregator that notes how much of the answer came, for the message when the connection
     * ends in the middle of it (the aggregator then only says that it did).
     */
    ChannelHandler progress() {
        return new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (msg instanceof HttpResponse response) {
                    answerLength = HttpUtil.getContentLength(response, -1L);
                }
                if (msg instanceof HttpContent content) {
                    answerBytes += content.content().readableBytes();
                }
                ctx.fireChannelRead(msg); // Forwarded, with its ownership.
            }
        };
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        ctx.writeAndFlush(client.request(DiscoveryClient.SERVICES_PATH));
        ctx.fireChannelActive();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof SslHandshakeCompletionEvent handshake && !handshake.isSuccess()) {
            client.fullSyncFailed(attempt, DiscoveryClient.failure(handshake.cause(), true));
            ctx.close();
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (!(msg instanceof FullHttpResponse response)) {
                return;
            }
            if (response.decoderResult().isFailure()) {
                client.fullSyncFailed(attempt, decodeFailure(response));
            } else if (response.status().code() != HttpResponseStatus.OK.code()) {
                client.fullSyncFailed(attempt, DiscoveryClient.Failure.text("full sync: " + response.status()));
            } else {
                ServiceListMessage list;
                try {
                    list = DiscoveryJson.readValidServiceList(response.content());
                } catch (DiscoveryFormatException | IllegalArgumentException e) {
                    client.fullSyncFailed(attempt, DiscoveryClient.unusable("service list", e));
                    ctx.close();
                    return;
                }
                client.fullSyncDone(attempt, list);
            }
            ctx.close();
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    /** A response the codec could not decode; a truncated one says how much of it came. */
    private static DiscoveryClient.Failure decodeFailure(FullHttpResponse response) {
        DiscoveryClient.Failure failure = DiscoveryClient.decodeFailure("full sync response",
                response.decoderResult().cause());
        if (!DiscoveryClient.TRUNCATED.equals(failure.refusal())) {
            return failure;
        }
        return truncated(response.content().readableBytes(), HttpUtil.getContentLength(response, -1L));
    }

    private static DiscoveryClient.Failure truncated(long received, long expected) {
        return DiscoveryClient.Failure.refused(DiscoveryClient.TRUNCATED, "service list ended after " + received
                + (expected >= 0 ? " of " + expected : "") + " bytes");
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        DiscoveryClient.Failure failure;
        if (cause instanceof TooLongFrameException) {
            // The aggregator's, beyond its limit: a Content-Length over it, or a longer body.
            failure = DiscoveryClient.Failure.refused(DiscoveryClient.TOO_LARGE, "service list larger than "
                    + DiscoveryClient.MAX_LIST_BYTES + " bytes");
        } else if (cause instanceof PrematureChannelClosureException) {
            failure = truncated(answerBytes, answerLength); // The aggregator's: closed in the middle of the answer.
        } else {
            failure = DiscoveryClient.failure(cause, false);
        }
        client.fullSyncFailed(attempt, failure);
        ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        client.fullSyncFailed(attempt, DiscoveryClient.Failure.text("full sync connection closed without an answer"));
        ctx.fireChannelInactive();
    }
}
