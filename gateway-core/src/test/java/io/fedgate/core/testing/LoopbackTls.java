package io.fedgate.core.testing;

import static java.util.Objects.requireNonNull;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

import io.fedgate.core.trust.X509Svids;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.ReferenceCountUtil;
import io.fedgate.core.probe.HandshakeOutcome;

/**
 * A mutual-TLS echo server on 127.0.0.1 (ephemeral port) and clients for it, each side reporting how its
 * handshake ended. Every wait is bounded by {@link #TIMEOUT}; {@link #close()} closes every channel and shuts the
 * event loops down, so a test that fails half-way leaks nothing.
 *
 * <pre>{@code
 * try (LoopbackTls tls = LoopbackTls.start(serverContext);
 *      LoopbackTls.Client client = tls.connect(clientContext, "ingress.red-mesh.local")) {
 *     assertThat(client.awaitHandshake().isSuccess()).isTrue();
 *     assertThat(client.echo("ping")).isEqualTo("ping");
 *     assertThat(tls.awaitServerHandshake().peer()).isEqualTo(expectedClientId);
 * }
 * }</pre>
 */
public final class LoopbackTls implements AutoCloseable {
    /** Upper bound of every wait; handshakes on loopback take milliseconds. */
    public static final Duration TIMEOUT = Duration.ofSeconds(10);
    /** Handshake timeout of both sides' {@code SslHandler}s, below {@link #TIMEOUT} so it fires first. */
    public static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(5);

    private static final Object CLOSED = new Object();

    private final EventLoopGroup group;
    private final Channel serverChannel;
    private final BlockingQueue<HandshakeOutcome> serverOutcomes;
    private final List<Client> clients = new CopyOnWriteArrayList<>();

    private LoopbackTls(EventLoopGroup group, Channel serverChannel, BlockingQueue<HandshakeOutcome> serverOutcomes) {
        this.group = group;
        this.serverChannel = serverChannel;
        this.serverOutcomes = serverOutcomes;
    }

    /** Starts an echo server terminating TLS with {@code serverContext}. */
    public static LoopbackTls start(SslContext serverContext) {
        requireNonNull(serverContext, "serverContext");
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
        BlockingQueue<HandshakeOutcome> outcomes = new LinkedBlockingQueue<>();
        try {
            Channel channel = new ServerBootstrap()
                    .group(group)
                    .channel(NioServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            SslHandler ssl = serverContext.newHandler(ch.alloc());
                            ssl.setHandshakeTimeout(HANDSHAKE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                            ch.pipeline().addLast(ssl, new Probe(outcomes::add, null, true));
                        }
                    })
                    .bind(InetAddress.getLoopbackAddress(), 0)
                    .syncUninterruptibly()
                    .channel();
            return new LoopbackTls(group, channel, outcomes);
        } catch (RuntimeException e) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw e;
        }
    }

    /** Where the server listens. */
    public InetSocketAddress address() {
        return (InetSocketAddress) serverChannel.localAddress();
    }

    /**
     * Connects a client with {@code clientContext}; {@code peerHost} is the host the client believes it dialled
     * (sent as SNI, and what {@code PeerAuthorizer.byPeerHost} sees), while the socket goes to 127.0.0.1.
     */
    public Client connect(SslContext clientContext, String peerHost) {
        requireNonNull(clientContext, "clientContext");
        requireNonNull(peerHost, "peerHost");
        CompletableFuture<HandshakeOutcome> handshake = new CompletableFuture<>();
        BlockingQueue<Object> inbound = new LinkedBlockingQueue<>();
        int port = address().getPort();
        Channel channel = new Bootstrap()
                .group(group)
                .channel(NioSocketChannel.class)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        SslHandler ssl = clientContext.newHandler(ch.alloc(), peerHost, port);
                        ssl.setHandshakeTimeout(HANDSHAKE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                        ch.pipeline().addLast(ssl, new Probe(handshake::complete, inbound, false));
                    }
                })
                .connect(address())
                .syncUninterruptibly()
                .channel();
        Client client = new Client(channel, handshake, inbound);
        clients.add(client);
        return client;
    }

    /** The outcome of the next server-side handshake, in accept order. */
    public HandshakeOutcome awaitServerHandshake() {
        try {
            HandshakeOutcome outcome = serverOutcomes.poll(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            if (outcome == null) {
                throw new AssertionError("no server-side handshake outcome within " + TIMEOUT);
            }
            return outcome;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    @Override
    public void close() {
        for (Client client : clients) {
            client.close();
        }
        serverChannel.close().awaitUninterruptibly(TIMEOUT.toMillis());
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(TIMEOUT.toMillis());
    }

    /** One client connection. */
    public static final class Client implements AutoCloseable {
        private final Channel channel;
        private final CompletableFuture<HandshakeOutcome> handshake;
        private final BlockingQueue<Object> inbound;

        Client(Channel channel, CompletableFuture<HandshakeOutcome> handshake, BlockingQueue<Object> inbound) {
            this.channel = channel;
            this.handshake = handshake;
            this.inbound = inbound;
        }

        /** How the client's handshake ended. With TLS 1.3 a client may succeed before the server refuses it. */
        public HandshakeOutcome awaitHandshake() {
            try {
                return handshake.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                throw new AssertionError("no client-side handshake outcome within " + TIMEOUT, e);
            } catch (ExecutionException e) {
                throw new AssertionError(e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }

        /** Sends {@code text} (ASCII) and returns what the server echoed, once as many bytes came back. */
        public String echo(String text) {
            channel.writeAndFlush(Unpooled.copiedBuffer(text, StandardCharsets.US_ASCII));
            StringBuilder received = new StringBuilder();
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (received.length() < text.length()) {
                Object next = poll(deadline);
                if (next instanceof String) {
                    received.append(next);
                } else {
                    throw new AssertionError("connection ended after echoing '" + received + "' of '" + text + "': "
                            + (next instanceof Throwable ? next : "closed"),
                            next instanceof Throwable ? (Throwable) next : null);
                }
            }
            return received.toString();
        }

        /**
         * Waits until the connection ends, skipping any data, and returns the exception that ended it, or
         * {@code null} if it closed without one.
         */
        public Throwable awaitClosed() {
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (true) {
                Object next = poll(deadline);
                if (next instanceof Throwable) {
                    return (Throwable) next;
                }
                if (next == CLOSED) {
                    return null;
                }
            }
        }

        private Object poll(long deadline) {
            try {
                Object next = inbound.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
                if (next == null) {
                    throw new AssertionError("nothing received within " + TIMEOUT);
                }
                return next;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }

        @Override
        public void close() {
            channel.close().awaitUninterruptibly(TIMEOUT.toMillis());
        }
    }

    /**
     * Reports the handshake outcome, then echoes (server) or collects (client) data. On the client, received text,
     * exceptions and the close land in {@code inbound}, in order.
     */
    private static final class Probe extends ChannelInboundHandlerAdapter {
        private final Consumer<HandshakeOutcome> outcomes;
        private final BlockingQueue<Object> inbound;
        private final boolean echo;

        Probe(Consumer<HandshakeOutcome> outcomes, BlockingQueue<Object> inbound, boolean echo) {
            this.outcomes = outcomes;
            this.inbound = inbound;
            this.echo = echo;
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
            if (evt instanceof SslHandshakeCompletionEvent) {
                SslHandshakeCompletionEvent completion = (SslHandshakeCompletionEvent) evt;
                outcomes.accept(completion.isSuccess() ? success(ctx) : HandshakeOutcome.failure(completion.cause()));
            }
            super.userEventTriggered(ctx, evt);
        }

        private static HandshakeOutcome success(ChannelHandlerContext ctx) {
            SslHandler ssl = ctx.pipeline().get(SslHandler.class);
            try {
                Certificate[] peer = ssl.engine().getSession().getPeerCertificates();
                return HandshakeOutcome.success(X509Svids.spiffeId((X509Certificate) peer[0]),
                        ssl.engine().getSession().getProtocol());
            } catch (Exception e) {
                // The trust manager accepted the peer, so this means the harness is broken; report it as a failure.
                return HandshakeOutcome.failure(e);
            }
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (echo) {
                // Ownership of msg passes to the outbound side, which releases it once written.
                ctx.writeAndFlush(msg);
                return;
            }
            try {
                inbound.add(((ByteBuf) msg).toString(StandardCharsets.US_ASCII));
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (inbound != null) {
                inbound.add(cause);
            }
            ctx.close();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            if (inbound != null) {
                inbound.add(CLOSED);
            }
            super.channelInactive(ctx);
        }
    }
}
