package io.fedgate.core.admin;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.Supplier;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;

/**
 * Serves the admin listener's pages, Envoy-style: each path maps to a supplier of a {@link Page} computed when
 * asked (metrics scrape, readiness, status). Suppliers must be cheap and non-blocking: they run on the event loop.
 */
@Sharable
final class AdminHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private final Map<String, Supplier<Page>> pages;

    AdminHandler(Map<String, Supplier<Page>> pages) {
        this.pages = Map.copyOf(requireNonNull(pages, "pages"));
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        Page page;
        if (!request.method().equals(HttpMethod.GET) && !request.method().equals(HttpMethod.HEAD)) {
            page = Page.text(HttpResponseStatus.METHOD_NOT_ALLOWED, "only GET\n");
        } else {
            Supplier<Page> supplier = pages.get(new QueryStringDecoder(request.uri()).path());
            page = supplier == null ? Page.text(HttpResponseStatus.NOT_FOUND, "not found; pages: "
                    + new java.util.TreeSet<>(pages.keySet()) + "\n") : supplier.get();
        }
        ByteBuf body = Unpooled.copiedBuffer(page.body(), StandardCharsets.UTF_8);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, page.status(), body);
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, page.contentType());
        HttpUtil.setContentLength(response, body.readableBytes());
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        if (keepAlive) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            ctx.writeAndFlush(response);
        } else {
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
