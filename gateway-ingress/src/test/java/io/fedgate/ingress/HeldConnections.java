package io.fedgate.ingress;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;

/**
 * What an attacker holding a listener's room does: opens many connections at once (TLS with a given identity, or
 * bare TCP), writes a fixed prefix once connected (half a request line, or nothing) and goes silent; then records,
 * per connection, what came back and how long it stayed open. Every connection is closed by {@link #close}.
 */
final class HeldConnections implements AutoCloseable {
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final List<Held> held = new ArrayList<>();

    /** One held connection: its channel, what it received, and when it closed after it opened. */
    static final class Held {
        final long openedNanos = System.nanoTime();
        final CompletableFuture<Duration> closed = new CompletableFuture<>();
        final StringBuilder received = new StringBuilder();
        Channel channel;

        synchronized String received() {
            return received.toString();
        }
    }

    /**
     * Opens {@code count} connections to {@code server} (TLS with {@code tls} unless {@code null}) and writes
     * {@code prefix} on each once it is up (after the handshake).
     */
    static HeldConnections open(InetSocketAddress server, SslContext tls, int count, String prefix) {
        HeldConnections connections = new HeldConnections();
        for (int i = 0; i < count; i++) {
            connections.held.add(connections.connect(server, tls, prefix));
        }
        return connections;
    }

    private Held connect(InetSocketAddress server, SslContext tls, String prefix) {
        Held one = new Held();
        one.channel = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) CONNECT_TIMEOUT.toMillis())
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        if (tls != null) {
                            SslHandler ssl = tls.newHandler(channel.alloc(), server.getHostString(), server.getPort());
                            ssl.setHandshakeTimeoutMillis(CONNECT_TIMEOUT.toMillis());
                            channel.pipeline().addLast(ssl);
                        }
                        channel.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                            @Override
                            public void channelActive(ChannelHandlerContext ctx) {
                                if (!prefix.isEmpty()) {
                                    // Held back by the SslHandler until its handshake completes.
                                    ctx.writeAndFlush(Unpooled.copiedBuffer(prefix, StandardCharsets.US_ASCII));
                                }
                                ctx.fireChannelActive();
                            }

                            @Override
                            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                ByteBuf bytes = (ByteBuf) msg;
                                synchronized (one) {
                                    one.received.append(bytes.toString(StandardCharsets.US_ASCII));
                                }
                                bytes.release();
                            }

                            @Override
                            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                                ctx.close();
                            }
                        });
                    }
                })
                .connect(server).channel();
        one.channel.closeFuture().addListener(f ->
                one.closed.complete(Duration.ofNanos(System.nanoTime() - one.openedNanos)));
        return one;
    }

    List<Held> held() {
        return List.copyOf(held);
    }

    /** How long each connection stayed open, once all have closed within {@code wait}; fails otherwise. */
    List<Duration> awaitAllClosed(Duration wait) throws Exception {
        long deadline = System.nanoTime() + wait.toNanos();
        List<Duration> lifetimes = new ArrayList<>();
        for (Held one : held) {
            long left = Math.max(1, deadline - System.nanoTime());
            lifetimes.add(one.closed.get(left, TimeUnit.NANOSECONDS));
        }
        return lifetimes;
    }

    @Override
    public void close() {
        held.forEach(one -> one.channel.close());
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
    }
}
