package io.fedgate.core.discovery.client;

import static java.util.Objects.requireNonNull;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import io.fedgate.core.transport.Transport;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.ssl.SslContext;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.GlobalEventExecutor;

/**
 * A peer's discovery port on loopback for the client tests: TLS with the given server context, HTTP/1.1, and the
 * ingress's rewrite of the public paths ({@code /v1/services/} and {@code /v1/watch} to {@code .../<peer>}) in
 * front of an application handler (a real {@code DiscoveryHttpHandler} or a {@link Stub}). Records every request.
 */
final class PeerDiscoveryHarness implements AutoCloseable {
    /** One request as received, before the rewrite. */
    record Request(String uri, String host, String discoveryService, String remote, long nanoTime) {
    }

    private final Channel server;
    private final ChannelGroup children;
    private final List<Request> requests;

    private PeerDiscoveryHarness(Channel server, ChannelGroup children, List<Request> requests) {
        this.server = server;
        this.children = children;
        this.requests = requests;
    }

    /** Serves on 127.0.0.1:{@code port} (0 for any) with {@code app} after the rewrite to {@code peer}'s paths. */
    static PeerDiscoveryHarness start(EventLoopGroup group, SslContext serverContext, int port, String peer,
                                      Supplier<ChannelHandler> app, List<Request> requests) {
        ChannelGroup children = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
        Channel server = new ServerBootstrap()
                .group(group)
                .channel(Transport.NIO.serverChannelClass())
                .option(ChannelOption.SO_REUSEADDR, true)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel channel) {
                        children.add(channel);
                        channel.pipeline().addLast(serverContext.newHandler(channel.alloc()), new HttpServerCodec(),
                                new Rewrite(peer, requests), app.get());
                    }
                })
                .bind(new InetSocketAddress("127.0.0.1", port)).syncUninterruptibly().channel();
        return new PeerDiscoveryHarness(server, children, requests);
    }

    /** A fresh, thread-safe request log. */
    static List<Request> newLog() {
        return new CopyOnWriteArrayList<>();
    }

    int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    List<Request> requests() {
        return requests;
    }

    long count(String uri) {
        return requests.stream().filter(request -> request.uri().equals(uri)).count();
    }

    /** Stops listening and closes every connection (the watch sees its stream end). */
    @Override
    public void close() {
        server.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        children.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
    }

    /** The ingress's rewrite of the public discovery paths; records each request. */
    private static final class Rewrite extends ChannelInboundHandlerAdapter {
        private final String peer;
        private final List<Request> requests;

        Rewrite(String peer, List<Request> requests) {
            this.peer = requireNonNull(peer, "peer");
            this.requests = requests;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof HttpRequest request) {
                requests.add(new Request(request.uri(), request.headers().get(HttpHeaderNames.HOST),
                        request.headers().get("discovery-service"), request.headers().get("remote"),
                        System.nanoTime()));
                if (request.uri().equals("/v1/services/")) {
                    request.setUri("/v1/services/" + peer);
                } else if (request.uri().equals("/v1/watch")) {
                    request.setUri("/v1/watch/" + peer);
                }
            }
            ctx.fireChannelRead(msg);
        }
    }

    /**
     * A scripted discovery server: answers the list it is given and opens a watch that sends only what the test
     * writes, or answers every request with {@link #status}.
     */
    static final class Stub {
        volatile String listJson = "{\"checksum\":3035108133973235477}";
        volatile HttpResponseStatus status = HttpResponseStatus.OK;
        private volatile ChannelHandlerContext watch;

        ChannelHandler handler() {
            return new ChannelInboundHandlerAdapter() {
                @Override
                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                    try {
                        if (msg instanceof HttpRequest request) {
                            answer(ctx, request);
                        }
                    } finally {
                        ReferenceCountUtil.release(msg);
                    }
                }
            };
        }

        private void answer(ChannelHandlerContext ctx, HttpRequest request) {
            if (status.code() != 200) {
                FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                        Unpooled.copiedBuffer("no\n", StandardCharsets.UTF_8));
                HttpUtil.setContentLength(response, response.content().readableBytes());
                ctx.writeAndFlush(response);
            } else if (request.uri().startsWith("/v1/watch/")) {
                HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
                response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
                HttpUtil.setTransferEncodingChunked(response, true);
                ctx.writeAndFlush(response);
                watch = ctx;
            } else {
                FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                        Unpooled.copiedBuffer(listJson, StandardCharsets.UTF_8));
                response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
                HttpUtil.setContentLength(response, response.content().readableBytes());
                ctx.writeAndFlush(response);
            }
        }

        boolean watching() {
            return watch != null;
        }

        /** Writes {@code text} as one chunk of the open watch. */
        void chunk(String text) {
            ChannelHandlerContext ctx = requireNonNull(watch, "no watch open");
            ctx.writeAndFlush(new DefaultHttpContent(Unpooled.copiedBuffer(text, StandardCharsets.UTF_8)))
                    .addListener(ChannelFutureListener.FIRE_EXCEPTION_ON_FAILURE)
                    .syncUninterruptibly();
        }
    }
}
