package io.fedgate.core.probe;

import static java.util.Objects.requireNonNull;

import java.net.InetSocketAddress;
import java.time.Duration;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import javax.net.ssl.SSLEngine;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageEncoder;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;

import io.fedgate.core.listener.UpstreamProxyHeader;
import io.fedgate.core.tls.ClientSni;

/**
 * A load-and-check client for test connections: connects (plain TCP, or TLS with a given client context and SNI),
 * sends {@code n} bytes of a seeded {@link PseudoRandomBytes} stream while reading and digesting whatever comes
 * back, ends its output as its {@link HalfClose} says, and reads until the far side ends its output. The result is
 * a {@link ConnectionReport}: bytes and SHA-256 each way, the handshake (the server's SPIFFE ID, or the refusal as
 * {@link io.fedgate.core.trust.PeerRefusal#of(Throwable)} classifies it), how it ended, and how long it took.
 *
 * <pre>{@code
 * try (TrafficClient client = TrafficClient.create()) {
 *     ConnectionReport report = client.to(gateway)
 *             .tls(egressContext, "outbound_.9080_._.ratings.bookinfo.svc.red-mesh-exports.local")
 *             .send(64 << 20, 42)
 *             .run();
 *     assertThat(report.ending()).isEqualTo(Ending.EOF);
 * }
 * }</pre>
 *
 * <p>On the hot path, data is generated into a reused array, copied into one pooled direct buffer per 64 KiB chunk,
 * and written while the channel is writable; received buffers are digested through their NIO views and released.
 *
 * <p><b>Half-close over TLS.</b> The default {@link HalfClose#SHUTDOWN_OUTPUT} sends a bare TCP FIN after the last
 * record (Netty's {@code shutdownOutput()} does not go through the {@code SslHandler}); a Netty server with
 * {@code ALLOW_HALF_CLOSURE} sees {@code ChannelInputShutdownEvent} and can still send. A TLS 1.3 {@code close_notify}
 * would be the proper half-close, but {@link HalfClose#CLOSE_NOTIFY} loses the tail of the inbound data when this
 * side uses netty-tcnative; {@link HalfClose} has the details.
 *
 * <p>Each client owns an event loop (one thread unless {@link #create(int)} asks for more); {@link #close()} closes
 * its connections and stops it. Every connection is bounded by its timeout, counted from the connect.
 */
public final class TrafficClient implements AutoCloseable {
    /** Default bound of one connection, from connect to close. */
    public static final Duration TIMEOUT = Duration.ofSeconds(30);
    /** Default TLS handshake timeout. */
    public static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(5);
    /** How long {@link Request#run()} waits beyond the connection's own timeout before it calls the harness broken. */
    private static final Duration GRACE = Duration.ofSeconds(10);

    private final EventLoopGroup group;

    private TrafficClient(int ioThreads) {
        this.group = new MultiThreadIoEventLoopGroup(ioThreads, NioIoHandler.newFactory());
    }

    /** A client with one event-loop thread. */
    public static TrafficClient create() {
        return create(1);
    }

    /** A client with {@code ioThreads} event-loop threads, for many concurrent connections. */
    public static TrafficClient create(int ioThreads) {
        if (ioThreads < 1) {
            throw new IllegalArgumentException("ioThreads: " + ioThreads + " (expected: >= 1)");
        }
        return new TrafficClient(ioThreads);
    }

    /** A connection to {@code address}: plain TCP, sending nothing, {@link HalfClose#SHUTDOWN_OUTPUT}, {@link #TIMEOUT}. */
    public Request to(InetSocketAddress address) {
        return new Request(requireNonNull(address, "address"));
    }

    /** Closes every connection and stops the event loop. Idempotent. */
    @Override
    public void close() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(TIMEOUT.toMillis());
    }

    /** Names {@code host} in the ClientHello's SNI extension, also Istio's {@code outbound_} names: see {@link ClientSni}. */
    static void requestServerName(SSLEngine engine, String host) {
        ClientSni.request(engine, host);
    }

    /** One connection's settings; {@link #start()} or {@link #run()} may be called more than once. */
    public final class Request {
        private final InetSocketAddress address;
        private SslContext clientContext;
        private String sniHost;
        private long bytesToSend;
        private long seed;
        private HalfClose halfClose = HalfClose.SHUTDOWN_OUTPUT;
        private Duration timeout = TIMEOUT;
        private Duration handshakeTimeout = HANDSHAKE_TIMEOUT;
        private long pauseAt = -1;
        private CompletableFuture<Void> pauseReached;
        private CompletionStage<?> resume;
        private InetSocketAddress proxySource;

        Request(InetSocketAddress address) {
            this.address = address;
        }

        /**
         * Speak TLS with {@code clientContext}, naming {@code sniHost} in the ClientHello (the socket still goes to
         * the address) and as the engine's peer host. Names with underscores, like Istio's
         * {@code outbound_.9080_._.<host>}, are sent too (see {@link #requestServerName}); IP literals are not.
         */
        public Request tls(SslContext clientContext, String sniHost) {
            requireNonNull(clientContext, "clientContext");
            if (!clientContext.isClient()) {
                throw new IllegalArgumentException("clientContext: a server context (expected: a client context)");
            }
            this.clientContext = clientContext;
            this.sniHost = requireNonNull(sniHost, "sniHost");
            return this;
        }

        /** Send {@code bytes} bytes of the {@link PseudoRandomBytes} stream {@code seed}; default nothing. */
        public Request send(long bytes, long seed) {
            if (bytes < 0) {
                throw new IllegalArgumentException("bytes: " + bytes + " (expected: >= 0)");
            }
            this.bytesToSend = bytes;
            this.seed = seed;
            return this;
        }

        /** How to end the output after the last byte; default {@link HalfClose#SHUTDOWN_OUTPUT}. */
        public Request halfClose(HalfClose halfClose) {
            this.halfClose = requireNonNull(halfClose, "halfClose");
            return this;
        }

        /** Bound of the whole connection, from connect to close; default {@link TrafficClient#TIMEOUT}. */
        public Request timeout(Duration timeout) {
            requireNonNull(timeout, "timeout");
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("timeout: " + timeout + " (expected: > 0)");
            }
            this.timeout = timeout;
            return this;
        }

        /** TLS handshake timeout; default {@link TrafficClient#HANDSHAKE_TIMEOUT}. */
        public Request handshakeTimeout(Duration timeout) {
            requireNonNull(timeout, "timeout");
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("handshakeTimeout: " + timeout + " (expected: > 0)");
            }
            this.handshakeTimeout = timeout;
            return this;
        }

        /**
         * Sends the first {@code bytes} bytes of what {@link #send} names, completes {@code reached} once they are
         * written, and the rest only after {@code resume} completes; for one connection kept in flight.
         */
        public Request pauseAfter(long bytes, CompletableFuture<Void> reached, CompletionStage<?> resume) {
            this.pauseAt = bytes;
            this.pauseReached = requireNonNull(reached, "reached");
            this.resume = requireNonNull(resume, "resume");
            return this;
        }

        /**
         * Starts the connection with a PROXY protocol v2 header naming {@code source} as the client (what a load
         * balancer in front of a gateway sends), before any TLS.
         */
        public Request proxyProtocol(InetSocketAddress source) {
            this.proxySource = requireNonNull(source, "source");
            return this;
        }

        /** Opens the connection; the future completes (never exceptionally) when it has closed. */
        public CompletableFuture<ConnectionReport> start() {
            CompletableFuture<ConnectionReport> done = new CompletableFuture<>();
            boolean tls = clientContext != null;
            StreamPump pump = StreamPump.sending(bytesToSend, seed, halfClose, tls, timeout, done::complete);
            if (resume != null) {
                pump.pauseAfter(pauseAt, pauseReached, resume);
            }
            InetSocketAddress proxied = proxySource;
            SslContext context = clientContext;
            String host = sniHost;
            long handshakeMillis = handshakeTimeout.toMillis();
            ChannelFuture connect = new Bootstrap()
                    .group(group)
                    .channel(NioSocketChannel.class)
                    .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                    .option(ChannelOption.WRITE_BUFFER_WATER_MARK, DigestingBackend.WATER_MARK)
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(timeout.toMillis(), Integer.MAX_VALUE))
                    .handler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            try {
                                if (proxied != null) {
                                    ch.pipeline().addLast(HAProxyMessageEncoder.INSTANCE);
                                    ch.pipeline().addLast(new ProxyHeaderWriter(UpstreamProxyHeader.of(proxied, address, List.of())));
                                }
                                if (context != null) {
                                    SslHandler ssl = context.newHandler(ch.alloc(), host, address.getPort());
                                    ch.pipeline().addLast(ssl);
                                    requestServerName(ssl.engine(), host);
                                    ssl.setHandshakeTimeoutMillis(handshakeMillis);
                                }
                                ch.pipeline().addLast(pump);
                            } catch (RuntimeException e) {
                                // The initializer closes the channel; the connect then fails without this cause.
                                pump.initFailed(e);
                                throw e;
                            }
                        }
                    })
                    .connect(address);
            connect.addListener(future -> {
                if (!future.isSuccess()) {
                    // Runs on the channel's event loop, like every other call into the pump.
                    pump.connectFailed(future.cause());
                }
            });
            return done;
        }

        /**
         * Runs the connection to its end and returns its report.
         *
         * @throws IllegalStateException if no report arrives within the timeout plus a grace period (a harness bug)
         */
        public ConnectionReport run() {
            CompletableFuture<ConnectionReport> done = start();
            Duration bound = timeout.plus(GRACE);
            try {
                return done.get(bound.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                throw new IllegalStateException("no report from the connection to " + address + " within " + bound, e);
            } catch (ExecutionException e) {
                throw new IllegalStateException("connection to " + address + " failed to report", e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
    }

    /** Writes a PROXY protocol header first (through the encoder before it), before the handlers behind it start. */
    private static final class ProxyHeaderWriter extends ChannelInboundHandlerAdapter {
        private final HAProxyMessage header;

        ProxyHeaderWriter(HAProxyMessage header) {
            this.header = header;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            ctx.writeAndFlush(header); // the encoder releases it
            ctx.pipeline().remove(this);
            ctx.fireChannelActive();
        }

        @Override
        public void handlerRemoved(ChannelHandlerContext ctx) {
            if (header.refCnt() > 0 && !ctx.channel().isActive()) {
                header.release(); // never written: the connect failed
            }
        }
    }
}
