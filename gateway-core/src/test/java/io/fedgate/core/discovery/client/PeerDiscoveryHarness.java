package io.fedgate.core.discovery.client;

import static java.util.Objects.requireNonNull;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import io.fedgate.core.config.ConfigFixtures;
import io.fedgate.core.config.PeerConfig;
import io.fedgate.core.transport.Transport;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
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

    /** The longest any client test waits for something to happen. */
    static final Duration WAIT = Duration.ofSeconds(10);

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

    /** {@code peer}'s discovery client with the short timings the client tests use. */
    static DiscoveryClient.Builder client(PeerConfig peer, SslContext clientContext, EventLoopGroup group) {
        return DiscoveryClient.builder(peer, clientContext, group, Transport.NIO)
                .backoff(Duration.ofMillis(100), Duration.ofSeconds(2))
                .connectTimeout(Duration.ofSeconds(3))
                .fullSyncTimeout(Duration.ofSeconds(3))
                .fullSyncRetry(Duration.ofMillis(50), Duration.ofSeconds(5));
    }

    /** The green peer as the watching side configures it: these addresses, discovery on {@code port}. */
    static PeerConfig peer(String name, int port, String... addresses) {
        StringBuilder spec = new StringBuilder("remote:\n  addresses:\n");
        for (String address : addresses) {
            spec.append("  - ").append(address).append('\n');
        }
        spec.append("  discoveryPort: ").append(port).append('\n')
                .append("gateways:\n  ingress:\n    name: ingress-green-mesh\n  egress:\n    name: egress-green-mesh\n");
        return ConfigFixtures.load(ConfigFixtures.files("peers/green.yaml", ConfigFixtures.peer(name, spec.toString()),
                "roots/green.yaml", ConfigFixtures.greenRoots())).peer(name).orElseThrow();
    }

    /** Waits up to {@link #WAIT} for {@code condition}. */
    static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + what);
            }
        }
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

    /** How a {@link Stub} answers one request instead of its default; runs on the connection's event loop. */
    @FunctionalInterface
    interface Answer {
        void answer(ChannelHandlerContext ctx, HttpRequest request);
    }

    /**
     * A scripted discovery server: answers the list it is given and opens a watch that sends only what the test
     * writes, or answers every request with {@link #status}; {@link #listAnswer} and {@link #watchAnswer} replace
     * the default answers (hostile ones, see the static factories), and {@link #holdLists} parks list requests.
     */
    static final class Stub {
        volatile String listJson = "{\"checksum\":3035108133973235477}";
        volatile HttpResponseStatus status = HttpResponseStatus.OK;
        volatile Answer listAnswer;
        volatile Answer watchAnswer;
        private volatile ChannelHandlerContext watch;
        /** List requests parked while holding; guarded by {@code this}. */
        private final ArrayDeque<ChannelHandlerContext> held = new ArrayDeque<>();
        private boolean holding;

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
                Answer answer = watchAnswer;
                if (answer != null) {
                    answer.answer(ctx, request);
                    return;
                }
                ctx.writeAndFlush(chunkedHead());
                watch = ctx;
            } else {
                Answer answer = listAnswer;
                if (answer != null) {
                    answer.answer(ctx, request);
                } else if (!park(ctx)) {
                    answerList(ctx);
                }
            }
        }

        private void answerList(ChannelHandlerContext ctx) {
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                    Unpooled.copiedBuffer(listJson, StandardCharsets.UTF_8));
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
            HttpUtil.setContentLength(response, response.content().readableBytes());
            ctx.writeAndFlush(response);
        }

        private synchronized boolean park(ChannelHandlerContext ctx) {
            if (holding) {
                held.add(ctx);
            }
            return holding;
        }

        /** From now on list requests wait unanswered (a client's full sync stays in flight) until released. */
        synchronized void holdLists() {
            holding = true;
        }

        /** Answers the parked list requests with {@link #listJson}, and later ones at once. */
        synchronized void releaseLists() {
            holding = false;
            for (ChannelHandlerContext ctx : held) {
                ctx.executor().execute(() -> answerList(ctx));
            }
            held.clear();
        }

        /** Closes the open watch connection. */
        void closeWatch() {
            requireNonNull(watch, "no watch open").close().syncUninterruptibly();
        }

        /** Writes {@code text} as one chunk of the open watch, without waiting (the client may cut it off). */
        void send(String text) {
            requireNonNull(watch, "no watch open")
                    .writeAndFlush(new DefaultHttpContent(Unpooled.copiedBuffer(text, StandardCharsets.UTF_8)));
        }

        boolean watching() {
            return watch != null;
        }

        /** A 200 whose chunked JSON body runs to {@code bytes} (or until the client leaves), 64 KiB at a time. */
        static Answer streamedList(long bytes) {
            return (ctx, request) -> {
                ctx.write(chunkedHead());
                byte[] chunk = new byte[64 * 1024];
                byte[] service = "{\"name\":\"s\",\"namespace\":\"n\",\"hostname\":\"s.n.svc.x\"},"
                        .getBytes(StandardCharsets.US_ASCII);
                for (int i = 0; i < chunk.length; i++) {
                    chunk[i] = service[i % service.length];
                }
                byte[] head = "{\"checksum\":1,\"services\":[".getBytes(StandardCharsets.US_ASCII);
                System.arraycopy(head, 0, chunk, 0, head.length);
                stream(ctx, chunk, bytes, true);
            };
        }

        /** A raw answer: an HTTP status line, then one header line that never ends (until the client leaves). */
        static Answer endlessHeader() {
            return (ctx, request) -> {
                raw(ctx, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Endless: ");
                byte[] filler = new byte[4096];
                Arrays.fill(filler, (byte) 'a');
                stream(ctx, filler, 64L << 20, false);
            };
        }

        /** A raw answer written as it is, below the HTTP codec, and then the connection closed. */
        static Answer rawThenClose(String text) {
            return (ctx, request) -> raw(ctx, text).addListener(ChannelFutureListener.CLOSE);
        }

        private static ChannelFuture raw(ChannelHandlerContext ctx, String text) {
            return raw(ctx, text.getBytes(StandardCharsets.ISO_8859_1));
        }

        /** Writes {@code chunk} again after each write completes, until {@code left} bytes are out or it fails. */
        private static void stream(ChannelHandlerContext ctx, byte[] chunk, long left, boolean http) {
            if (left <= 0 || !ctx.channel().isActive()) {
                return;
            }
            ChannelFuture written = http
                    ? ctx.writeAndFlush(new DefaultHttpContent(Unpooled.wrappedBuffer(chunk)))
                    : raw(ctx, chunk);
            written.addListener(future -> {
                if (future.isSuccess()) {
                    stream(ctx, chunk, left - chunk.length, http);
                }
            });
        }

        /** Writes {@code bytes} below the HTTP codec, as they are. */
        private static ChannelFuture raw(ChannelHandlerContext ctx, byte[] bytes) {
            return ctx.pipeline().context(HttpServerCodec.class).writeAndFlush(Unpooled.wrappedBuffer(bytes));
        }

        private static HttpResponse chunkedHead() {
            HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
            HttpUtil.setTransferEncodingChunked(response, true);
            return response;
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
