package io.fedgate.ingress;

import static java.util.Objects.requireNonNull;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;

import io.fedgate.core.discovery.DiscoveryJson;
import io.fedgate.core.discovery.ServiceListMessage;
import io.fedgate.core.discovery.WatchEvent;

/**
 * A plain-HTTP stand-in for an external discovery server (what {@code --discovery-upstream} points at) on an
 * ephemeral loopback port: records every request it receives and answers {@code GET /v1/services/<anything>} with a
 * fixed list, {@code GET /v1/watch/<anything>} with a chunked response holding one fixed event (then left open),
 * and anything else with 404.
 */
final class DiscoveryUpstreamStub implements AutoCloseable {
    /** One request as the stub received it. */
    record Recorded(String method, String uri, HttpHeaders headers) {
    }

    private final BlockingQueue<Recorded> requests = new LinkedBlockingQueue<>();
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final ServiceListMessage list;
    private final WatchEvent event;
    private final Channel server;

    private DiscoveryUpstreamStub(ServiceListMessage list, WatchEvent event) {
        this.list = requireNonNull(list, "list");
        this.event = requireNonNull(event, "event");
        try {
            this.server = new ServerBootstrap()
                    .group(group)
                    .channel(NioServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel channel) {
                            channel.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(1 << 16),
                                    new Answering());
                        }
                    })
                    .bind("127.0.0.1", 0).syncUninterruptibly().channel();
        } catch (RuntimeException e) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw e;
        }
    }

    /** A stub answering {@code list} and, on a watch, {@code event}. */
    static DiscoveryUpstreamStub start(ServiceListMessage list, WatchEvent event) {
        return new DiscoveryUpstreamStub(list, event);
    }

    /** Where it listens. */
    InetSocketAddress address() {
        return (InetSocketAddress) server.localAddress();
    }

    /** The next request received, or {@code null} if none arrives within {@code timeout}. */
    Recorded pollRequest(Duration timeout) {
        try {
            return requests.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** The next request received; an {@link AssertionError} if none arrives within {@code timeout}. */
    Recorded nextRequest(Duration timeout) {
        Recorded request = pollRequest(timeout);
        if (request == null) {
            throw new AssertionError("the discovery upstream stub received no request within " + timeout);
        }
        return request;
    }

    @Override
    public void close() {
        server.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }

    private final class Answering extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            requests.add(new Recorded(request.method().name(), request.uri(), request.headers().copy()));
            String path = new QueryStringDecoder(request.uri()).path();
            boolean keepAlive = HttpUtil.isKeepAlive(request);
            if (path.startsWith("/v1/services/")) {
                respond(ctx, HttpResponseStatus.OK, DiscoveryJson.encode(list, ctx.alloc()),
                        HttpHeaderValues.APPLICATION_JSON.toString(), keepAlive);
            } else if (path.startsWith("/v1/watch/")) {
                HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
                head.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
                HttpUtil.setTransferEncodingChunked(head, true);
                ctx.writeAndFlush(head);
                ctx.writeAndFlush(new DefaultHttpContent(DiscoveryJson.encodeLine(event, ctx.alloc())));
            } else {
                respond(ctx, HttpResponseStatus.NOT_FOUND,
                        ByteBufUtil.writeUtf8(ctx.alloc(), "stub: no such path " + path + "\n"),
                        "text/plain; charset=utf-8", keepAlive);
            }
        }

        private void respond(ChannelHandlerContext ctx, HttpResponseStatus status, ByteBuf body, String type,
                             boolean keepAlive) {
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, body);
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, type);
            HttpUtil.setContentLength(response, body.readableBytes());
            HttpUtil.setKeepAlive(response, keepAlive);
            if (keepAlive) {
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

    @Override
    public String toString() {
        return "DiscoveryUpstreamStub{" + address() + ", " + list + "}";
    }
}
