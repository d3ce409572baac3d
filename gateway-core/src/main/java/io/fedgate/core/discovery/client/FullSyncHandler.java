package io.fedgate.core.discovery.client;

import static java.util.Objects.requireNonNull;

import io.fedgate.core.discovery.DiscoveryFormatException;
import io.fedgate.core.discovery.DiscoveryJson;
import io.fedgate.core.discovery.ServiceListMessage;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.ReferenceCountUtil;

/**
 * The full-sync connection's last handler, after an {@code HttpObjectAggregator}: sends {@code GET /v1/services/},
 * parses the aggregated answer and reports the list, or the failure, to the client exactly once.
 */
final class FullSyncHandler extends ChannelInboundHandlerAdapter {
    private final DiscoveryClient client;
    private final DiscoveryClient.Attempt attempt;

    FullSyncHandler(DiscoveryClient client, DiscoveryClient.Attempt attempt) {
        this.client = requireNonNull(client, "client");
        this.attempt = requireNonNull(attempt, "attempt");
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
                client.fullSyncFailed(attempt, DiscoveryClient.Failure.text("malformed full sync response: "
                        + response.decoderResult().cause()));
            } else if (response.status().code() != HttpResponseStatus.OK.code()) {
                client.fullSyncFailed(attempt, DiscoveryClient.Failure.text("full sync: " + response.status()));
            } else {
                ServiceListMessage list;
                try {
                    list = DiscoveryJson.readServiceList(response.content());
                } catch (DiscoveryFormatException | IllegalArgumentException e) {
                    client.fullSyncFailed(attempt, DiscoveryClient.Failure.text("full sync: " + e.getMessage()));
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

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        client.fullSyncFailed(attempt, DiscoveryClient.failure(cause, false));
        ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        client.fullSyncFailed(attempt, DiscoveryClient.Failure.text("full sync connection closed without an answer"));
        ctx.fireChannelInactive();
    }
}
