package io.fedgate.core.discovery;

import static java.util.Objects.requireNonNull;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpObject;
import io.netty.util.ReferenceCountUtil;

/**
 * The upstream side of {@link DiscoveryUpstreamProxy}: hands every decoded response part to the proxy, which relays
 * it downstream, and reports the end of each read burst and the connection's close. Runs on the downstream channel's
 * event loop.
 */
final class UpstreamResponseHandler extends ChannelInboundHandlerAdapter {
    private final DiscoveryUpstreamProxy proxy;

    UpstreamResponseHandler(DiscoveryUpstreamProxy proxy) {
        this.proxy = requireNonNull(proxy, "proxy");
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpObject object) {
            proxy.upstreamRead(ctx.channel(), object); // Ownership passes to the downstream pipeline.
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        proxy.upstreamReadComplete();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        proxy.upstreamClosed(ctx.channel());
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
