package io.fedgate.ingress;

import static java.util.Objects.requireNonNull;

import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;

import io.fedgate.core.discovery.DiscoveryJson;
import io.fedgate.core.discovery.WatchEvent;

/**
 * A small HTTP/1.1 client for a discovery listener, calling it as a peer's egress gateway does: over mutual TLS with
 * a given client context (or plain HTTP, e.g. for a stub server).
 *
 * <ul>
 *   <li>{@link #get(String)}: one request on a new connection, answered as status, headers and body.</li>
 *   <li>{@link #connect()}: a keep-alive connection for several requests in turn.</li>
 *   <li>{@link #watch(String)}: a watch whose chunked body is split into {@code \r\n}-terminated lines, queued as
 *       they arrive; poll them with a timeout ({@link Watch#pollLine}, {@link Watch#nextEvent}).</li>
 * </ul>
 *
 * Every wait is bounded (by {@link #TIMEOUT} unless given); a failure is an {@link AssertionError} that says what
 * did not happen. {@link #close()} closes every connection it opened and its event loop.
 */
final class DiscoveryTestClient implements AutoCloseable {
    /** Default bound of every wait: connect, handshake, response. */
    static final Duration TIMEOUT = Duration.ofSeconds(10);

    private static final int MAX_BODY = 1 << 20;
    private static final Object CLOSED = new Object() {
        @Override
        public String toString() {
            return "connection closed";
        }
    };

    private final InetSocketAddress server;
    private final SslContext sslContext;
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Set<Channel> channels = ConcurrentHashMap.newKeySet();

    private DiscoveryTestClient(InetSocketAddress server, SslContext sslContext) {
        this.server = requireNonNull(server, "server");
        this.sslContext = sslContext;
    }

    /** A client of {@code server} over TLS with {@code sslContext} (the client certificate is in it). */
    static DiscoveryTestClient tls(InetSocketAddress server, SslContext sslContext) {
        return new DiscoveryTestClient(server, requireNonNull(sslContext, "sslContext"));
    }

    /** A client of {@code server} over plain HTTP. */
    static DiscoveryTestClient plain(InetSocketAddress server) {
        return new DiscoveryTestClient(server, null);
    }

    /** {@code GET path} on a new connection, closed afterwards. */
    Response get(String path) {
        try (Connection connection = connect()) {
            return connection.get(path);
        }
    }

    /** A new keep-alive connection (TLS handshake done when this returns). */
    Connection connect() {
        BlockingQueue<Object> responses = new LinkedBlockingQueue<>();
        Channel channel = open(pipeline -> pipeline.addLast(new HttpClientCodec(), new HttpObjectAggregator(MAX_BODY),
                new SimpleChannelInboundHandler<FullHttpResponse>() {
                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse response) {
                        responses.add(new Response(response.status().code(), response.headers().copy(),
                                response.content().toString(StandardCharsets.UTF_8)));
                    }

                    @Override
                    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                        responses.add(cause);
                        ctx.close();
                    }

                    @Override
                    public void channelInactive(ChannelHandlerContext ctx) {
                        responses.add(CLOSED);
                    }
                }));
        return new Connection(channel, responses);
    }

    /** Sends {@code GET path} on a new connection and streams the response into a {@link Watch}. */
    Watch watch(String path) {
        Watch watch = new Watch(path);
        Channel channel = open(pipeline -> pipeline.addLast(new HttpClientCodec(), watch.handler()));
        watch.channel = channel;
        channel.writeAndFlush(request(path));
        return watch;
    }

    private FullHttpRequest request(String path) {
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, path,
                Unpooled.EMPTY_BUFFER);
        request.headers().set(HttpHeaderNames.HOST, server.getHostString() + ":" + server.getPort());
        request.headers().set(HttpHeaderNames.ACCEPT, "application/json");
        return request;
    }

    private Channel open(Consumer<ChannelPipeline> http) {
        ChannelFuture connect = new Bootstrap()
                .group(group)
                .channel(NioSocketChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) TIMEOUT.toMillis())
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        if (sslContext != null) {
                            channel.pipeline().addLast(sslContext.newHandler(channel.alloc(),
                                    server.getHostString(), server.getPort()));
                        }
                        http.accept(channel.pipeline());
                    }
                })
                .connect(server);
        if (!connect.awaitUninterruptibly(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
            connect.channel().close();
            throw new AssertionError("no connection to " + server + " within " + TIMEOUT);
        }
        if (!connect.isSuccess()) {
            throw new AssertionError("cannot connect to " + server + ": " + connect.cause(), connect.cause());
        }
        Channel channel = connect.channel();
        channels.add(channel);
        channel.closeFuture().addListener(future -> channels.remove(channel));
        if (sslContext != null) {
            var handshake = channel.pipeline().get(SslHandler.class).handshakeFuture();
            if (!handshake.awaitUninterruptibly(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                channel.close();
                throw new AssertionError("no TLS handshake with " + server + " within " + TIMEOUT);
            }
            if (!handshake.isSuccess()) {
                channel.close();
                throw new AssertionError("TLS handshake with " + server + " failed: " + handshake.cause(),
                        handshake.cause());
            }
        }
        return channel;
    }

    @Override
    public void close() {
        for (Channel channel : channels) {
            channel.close().awaitUninterruptibly(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** A complete response. */
    record Response(int status, HttpHeaders headers, String body) {
        /** The value of header {@code name}, or {@code null}. */
        String header(CharSequence name) {
            return headers.get(name);
        }

        @Override
        public String toString() {
            return status + " " + headers + " " + body.strip();
        }
    }

    /** A keep-alive connection: requests one at a time, each waiting for its response. */
    final class Connection implements AutoCloseable {
        private final Channel channel;
        private final BlockingQueue<Object> responses;

        private Connection(Channel channel, BlockingQueue<Object> responses) {
            this.channel = channel;
            this.responses = responses;
        }

        /** {@code GET path}, waiting up to {@link #TIMEOUT} for the whole response. */
        Response get(String path) {
            Object next = responses.peek();
            if (next != null) {
                throw new AssertionError("before GET " + path + ": connection already has " + next);
            }
            channel.writeAndFlush(request(path));
            try {
                next = responses.poll(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
            if (next instanceof Response response) {
                return response;
            }
            if (next instanceof Throwable cause) {
                throw new AssertionError("GET " + path + " failed: " + cause, cause);
            }
            throw new AssertionError("GET " + path + ": " + (next == null ? "no response within " + TIMEOUT : next));
        }

        /** Whether the server has kept the connection open. */
        boolean isOpen() {
            return channel.isActive();
        }

        @Override
        public void close() {
            channel.close().awaitUninterruptibly(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /**
     * An open watch: the response head, then the lines of its body as they arrive. A line is only queued once its
     * {@code \r\n} has arrived; a rest without one, left when the response ends, is {@link #unterminated()}.
     */
    static final class Watch implements AutoCloseable {
        private final String path;
        private final CompletableFuture<HttpResponse> head = new CompletableFuture<>();
        private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        private final CompletableFuture<Void> ended = new CompletableFuture<>();
        private final CompletableFuture<Void> closed = new CompletableFuture<>();
        // Event-loop confined.
        private final ByteArrayOutputStream pending = new ByteArrayOutputStream();
        private boolean lastWasCr;
        private volatile String unterminated = "";
        private volatile Channel channel;

        private Watch(String path) {
            this.path = path;
        }

        private ChannelInboundHandlerAdapter handler() {
            return new ChannelInboundHandlerAdapter() {
                @Override
                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                    try {
                        if (msg instanceof HttpResponse response) {
                            head.complete(response);
                        }
                        if (msg instanceof HttpContent content) {
                            append(content.content());
                        }
                        if (msg instanceof LastHttpContent) {
                            unterminated = pending.toString(StandardCharsets.UTF_8);
                            pending.reset();
                            ended.complete(null);
                        }
                    } finally {
                        ReferenceCountUtil.release(msg);
                    }
                }

                @Override
                public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                    head.completeExceptionally(cause);
                    ctx.close();
                }

                @Override
                public void channelInactive(ChannelHandlerContext ctx) {
                    head.completeExceptionally(new IllegalStateException("connection closed before a response"));
                    closed.complete(null);
                }
            };
        }

        private void append(ByteBuf content) {
            while (content.isReadable()) {
                byte b = content.readByte();
                if (b == '\n' && lastWasCr) {
                    byte[] line = pending.toByteArray();
                    lines.add(new String(line, 0, line.length - 1, StandardCharsets.UTF_8));
                    pending.reset();
                    lastWasCr = false;
                } else {
                    pending.write(b);
                    lastWasCr = b == '\r';
                }
            }
        }

        /** The response head, waiting up to {@link #TIMEOUT} for it. */
        HttpResponse head() {
            try {
                return head.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            } catch (ExecutionException e) {
                throw new AssertionError("GET " + path + ": " + e.getCause(), e.getCause());
            } catch (TimeoutException e) {
                throw new AssertionError("GET " + path + ": no response head within " + TIMEOUT);
            }
        }

        /** The response status code. */
        int status() {
            return head().status().code();
        }

        /** The response headers. */
        HttpHeaders headers() {
            return head().headers();
        }

        /** The next complete line (without its {@code \r\n}), or {@code null} if none arrives within {@code timeout}. */
        String pollLine(Duration timeout) {
            try {
                return lines.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }

        /** The next complete line; an {@link AssertionError} if none arrives within {@code timeout}. */
        String nextLine(Duration timeout) {
            String line = pollLine(timeout);
            if (line == null) {
                throw new AssertionError("watch " + path + ": no line within " + timeout + " (response ended: "
                        + ended.isDone() + ", connection closed: " + closed.isDone() + ")");
            }
            return line;
        }

        /** The next line parsed as a {@link WatchEvent}; an {@link AssertionError} if none arrives in time. */
        WatchEvent nextEvent(Duration timeout) {
            return DiscoveryJson.readWatchEvent(nextLine(timeout));
        }

        /** Whether the last chunk arrived within {@code timeout}. */
        boolean awaitEnd(Duration timeout) {
            return await(ended, timeout);
        }

        /** Whether the connection closed within {@code timeout}. */
        boolean awaitClosed(Duration timeout) {
            return await(closed, timeout);
        }

        /** What followed the last {@code \r\n} when the response ended (empty if nothing did). */
        String unterminated() {
            return unterminated;
        }

        private static boolean await(CompletableFuture<Void> future, Duration timeout) {
            try {
                future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                return true;
            } catch (TimeoutException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            } catch (ExecutionException e) {
                throw new AssertionError(e.getCause());
            }
        }

        @Override
        public void close() {
            Channel current = channel;
            if (current != null) {
                current.close().awaitUninterruptibly(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }
        }
    }
}
