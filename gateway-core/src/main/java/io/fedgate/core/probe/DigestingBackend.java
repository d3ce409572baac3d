package io.fedgate.core.probe;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.SniHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.util.Mapping;

/**
 * A plain-TCP test backend on a loopback address (ephemeral port by default) that digests what it receives and
 * reports each finished connection as a {@link ConnectionReport}. What it does with a connection is fixed when it is
 * built:
 * <ul>
 *   <li>{@linkplain Builder#echo() echo}: writes back what arrives (with backpressure: reads pause while the echo
 *       cannot be written); once the client ended its output, finishes echoing, ends its own output and closes;</li>
 *   <li>{@linkplain Builder#sinkAndSource(long, long) sink-and-source}: reads and digests everything until the client
 *       ends its output, while sending {@code n} bytes of {@link PseudoRandomBytes} and then ending its own output;
 *       closes once both are done;</li>
 *   <li>{@linkplain Builder#resetOnAccept() reset-on-accept}: resets every connection as soon as it is accepted.</li>
 * </ul>
 * {@link #stopAccepting()} closes the listening socket (connections are then refused), {@link #resetConnections()}
 * resets the open ones: together, a backend that went down. {@link TlsBackend} is the same over TLS.
 *
 * <pre>{@code
 * try (DigestingBackend backend = DigestingBackend.sinkAndSource(64 << 20, 7);
 *      TrafficClient client = TrafficClient.create()) {
 *     ConnectionReport sent = client.to(backend.address()).send(64 << 20, 1).run();
 *     ConnectionReport seen = backend.awaitConnection();
 *     assertThat(seen.sha256Received()).isEqualTo(sent.sha256Sent());
 *     assertThat(seen.inputEnded()).as("saw the client's half-close").isTrue();
 * }
 * }</pre>
 *
 * <p>One event-loop thread serves the listener and every connection; {@link #close()} closes them all and stops it.
 */
public class DigestingBackend implements AutoCloseable {
    /** Default bound of every wait for reports. */
    public static final Duration TIMEOUT = Duration.ofSeconds(30);
    /** Default bound of one connection's life; the backend closes it ({@link Ending#TIMEOUT}) after that. */
    public static final Duration CONNECTION_TIMEOUT = Duration.ofSeconds(60);
    /** Default TLS handshake timeout of a {@link TlsBackend}. */
    public static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(5);
    /** Write buffer bounds of every test connection: a few chunks in flight, no unbounded queue. */
    static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(256 * 1024, 1024 * 1024);

    private final Builder config;
    private final SslContext serverContext;
    private final EventLoopGroup group;
    private final InetSocketAddress address;
    private final Set<Channel> open = ConcurrentHashMap.newKeySet();
    private final AtomicInteger accepted = new AtomicInteger();
    private final List<ConnectionReport> reports = new ArrayList<>();
    private volatile Channel listener;
    /** While not accepting: a bound, non-listening socket that keeps the port (connections to it are refused). */
    private Socket placeholder;
    private volatile boolean closed;

    DigestingBackend(Builder config, SslContext serverContext) {
        this.config = config;
        this.serverContext = serverContext;
        this.group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try {
            this.listener = bind(new InetSocketAddress(config.host, config.port));
            this.address = (InetSocketAddress) listener.localAddress();
        } catch (RuntimeException e) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(TIMEOUT.toMillis());
            throw e;
        }
    }

    /** A builder: echo mode, {@link HalfClose#SHUTDOWN_OUTPUT}, 127.0.0.1 on an ephemeral port. */
    public static Builder builder() {
        return new Builder();
    }

    /** Starts an echo backend with the defaults. */
    public static DigestingBackend echo() {
        return builder().echo().start();
    }

    /** Starts a sink-and-source backend with the defaults, sending {@code bytesToSend} bytes of stream {@code seed}. */
    public static DigestingBackend sinkAndSource(long bytesToSend, long seed) {
        return builder().sinkAndSource(bytesToSend, seed).start();
    }

    /** Where the backend listens (also after {@link #stopAccepting()}: the address {@link #startAccepting()} rebinds). */
    public InetSocketAddress address() {
        return address;
    }

    /** How many connections were accepted so far. */
    public int accepted() {
        return accepted.get();
    }

    /** How many accepted connections are still open. */
    public int openConnections() {
        return open.size();
    }

    /** The reports of the connections that have closed so far, in the order they closed. */
    public List<ConnectionReport> connections() {
        synchronized (reports) {
            return List.copyOf(reports);
        }
    }

    /** The first connection to close, waiting up to {@link #TIMEOUT}. */
    public ConnectionReport awaitConnection() {
        return awaitConnections(1, TIMEOUT).get(0);
    }

    /**
     * The first {@code count} connections to close, in the order they closed, waiting up to {@code timeout}.
     *
     * @throws IllegalStateException if fewer closed in time (with what is known)
     */
    public List<ConnectionReport> awaitConnections(int count, Duration timeout) {
        if (count < 1) {
            throw new IllegalArgumentException("count: " + count + " (expected: >= 1)");
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (reports) {
            while (reports.size() < count) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new IllegalStateException("only " + reports.size() + " of " + count + " connections to " + address
                            + " closed within " + timeout + " (accepted " + accepted() + ", open " + open.size()
                            + "): " + reports);
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(reports, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted", e);
                }
            }
            return List.copyOf(reports.subList(0, count));
        }
    }

    /**
     * Closes the listening socket: once this returns, new connections are refused; open ones go on. Idempotent.
     *
     * <p>Netty's close future completes before the kernel socket is gone: NIO closes a selector-registered
     * {@code ServerSocketChannel} only at the event loop's next select, and meanwhile the kernel still completes
     * handshakes. So this waits until a probe can bind the same address, which nothing listening there allows.
     */
    public synchronized void stopAccepting() {
        Channel current = listener;
        listener = null;
        if (current != null) {
            current.close().awaitUninterruptibly(TIMEOUT.toMillis());
            awaitUnbound(address);
            if (!closed) {
                holdPort();
            }
        }
    }

    /**
     * Keeps the port bound, not listening, so that connections to it keep being refused: a freed port would go to the
     * next process binding port 0 (a gateway started after this backend stopped), and its connections would reach
     * that process instead.
     */
    private void holdPort() {
        try {
            Socket socket = new Socket();
            socket.setReuseAddress(true);
            socket.bind(address);
            placeholder = socket;
        } catch (IOException e) {
            throw new IllegalStateException("cannot hold " + address + " after closing its listener", e);
        }
    }

    private void releasePort() {
        if (placeholder != null) {
            try {
                placeholder.close();
            } catch (IOException e) {
                // closing a bound, unconnected socket does not fail in a way that matters here
            }
            placeholder = null;
        }
    }

    private static void awaitUnbound(InetSocketAddress address) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (true) {
            try (ServerSocket probe = new ServerSocket()) {
                probe.setReuseAddress(true);
                probe.bind(address);
                return;
            } catch (IOException stillListening) {
                if (System.nanoTime() - deadline > 0) {
                    throw new IllegalStateException(address + " still bound " + TIMEOUT + " after closing it", stillListening);
                }
            }
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
    }

    /** Listens again on {@link #address()} after {@link #stopAccepting()}; nothing if already listening. */
    public synchronized void startAccepting() {
        if (closed) {
            throw new IllegalStateException("backend " + address + " is closed");
        }
        if (listener == null) {
            releasePort();
            listener = bind(address);
        }
    }

    /** Resets every open connection (RST, as a crashed backend's kernel would). */
    public void resetConnections() {
        for (Channel channel : open) {
            channel.config().setOption(ChannelOption.SO_LINGER, 0);
            channel.close().awaitUninterruptibly(TIMEOUT.toMillis());
        }
    }

    /** Stops listening, closes every connection and shuts the event loop down. Idempotent. */
    @Override
    public void close() {
        closed = true;
        stopAccepting();
        synchronized (this) {
            releasePort();
        }
        for (Channel channel : open) {
            channel.close().awaitUninterruptibly(TIMEOUT.toMillis());
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(TIMEOUT.toMillis());
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "{" + address + ", " + config.describe() + ", accepted " + accepted()
                + ", open " + open.size() + "}";
    }

    private Channel bind(InetSocketAddress local) {
        ChannelFuture bound = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        accepted.incrementAndGet();
                        open.add(ch);
                        ch.closeFuture().addListener(f -> open.remove(ch));
                        if (closed) {
                            ch.close();
                            return;
                        }
                        initConnection(ch);
                    }
                })
                .bind(local)
                .awaitUninterruptibly();
        if (!bound.isSuccess()) {
            throw new IllegalStateException("cannot listen on " + local + ": " + bound.cause(), bound.cause());
        }
        return bound.channel();
    }

    private void initConnection(SocketChannel ch) {
        if (config.mode == Mode.RESET_ON_ACCEPT) {
            ch.pipeline().addLast(new ResetOnAccept());
            return;
        }
        boolean tls = serverContext != null;
        if (tls) {
            Mapping<String, SslContext> everyName = hostname -> serverContext;
            ch.pipeline().addLast(new SniHandler(everyName, config.handshakeTimeout.toMillis()));
        }
        ch.pipeline().addLast(config.mode == Mode.ECHO
                ? StreamPump.echoing(config.halfClose, tls, config.connectionTimeout, this::add)
                : StreamPump.sending(config.bytesToSend, config.seed, config.halfClose, tls, config.connectionTimeout,
                        this::add));
    }

    private void add(ConnectionReport report) {
        synchronized (reports) {
            reports.add(report);
            reports.notifyAll();
        }
    }

    /** Resets the connection as soon as it is active and reports it as {@link Ending#CLOSED}. */
    private final class ResetOnAccept extends ChannelInboundHandlerAdapter {
        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            long start = System.nanoTime();
            InetSocketAddress local = (InetSocketAddress) ctx.channel().localAddress();
            InetSocketAddress remote = (InetSocketAddress) ctx.channel().remoteAddress();
            ctx.channel().config().setOption(ChannelOption.SO_LINGER, 0);
            ctx.close().addListener(f -> add(new ConnectionReport(local, remote, 0, StreamDigest.EMPTY_SHA256, 0,
                    StreamDigest.EMPTY_SHA256, false, false, false, null, null, Ending.CLOSED, null,
                    Duration.ofNanos(System.nanoTime() - start))));
        }
    }

    enum Mode {
        ECHO, SINK_AND_SOURCE, RESET_ON_ACCEPT
    }

    /** Settings of a {@link DigestingBackend} or {@link TlsBackend}; {@code start} methods may be called repeatedly. */
    public static final class Builder {
        private Mode mode = Mode.ECHO;
        private long bytesToSend;
        private long seed;
        private HalfClose halfClose = HalfClose.SHUTDOWN_OUTPUT;
        private InetAddress host = InetAddress.getLoopbackAddress();
        private int port;
        private Duration connectionTimeout = CONNECTION_TIMEOUT;
        private Duration handshakeTimeout = HANDSHAKE_TIMEOUT;

        Builder() {
        }

        /** Echo every connection (the default). */
        public Builder echo() {
            mode = Mode.ECHO;
            return this;
        }

        /** Read everything while sending {@code bytesToSend} bytes of the {@link PseudoRandomBytes} stream {@code seed}. */
        public Builder sinkAndSource(long bytesToSend, long seed) {
            if (bytesToSend < 0) {
                throw new IllegalArgumentException("bytesToSend: " + bytesToSend + " (expected: >= 0)");
            }
            this.mode = Mode.SINK_AND_SOURCE;
            this.bytesToSend = bytesToSend;
            this.seed = seed;
            return this;
        }

        /** Reset every connection as soon as it is accepted. */
        public Builder resetOnAccept() {
            mode = Mode.RESET_ON_ACCEPT;
            return this;
        }

        /** How the backend ends its output once it sent (or echoed) everything; default {@link HalfClose#SHUTDOWN_OUTPUT}. */
        public Builder halfClose(HalfClose halfClose) {
            this.halfClose = requireNonNull(halfClose, "halfClose");
            return this;
        }

        /** A loopback address literal to listen on, e.g. {@code 127.0.0.2}; default 127.0.0.1. */
        public Builder host(String loopbackAddress) {
            requireNonNull(loopbackAddress, "loopbackAddress");
            InetAddress parsed;
            try {
                parsed = InetAddress.getByName(loopbackAddress);
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException("host: " + loopbackAddress + " (expected: a loopback address)", e);
            }
            if (!parsed.isLoopbackAddress()) {
                throw new IllegalArgumentException("host: " + loopbackAddress + " (expected: a loopback address)");
            }
            this.host = parsed;
            return this;
        }

        /** The port to listen on; default 0 (ephemeral). */
        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port: " + port + " (expected: 0-65535)");
            }
            this.port = port;
            return this;
        }

        /** Bound of each connection's life; default {@link #CONNECTION_TIMEOUT}. */
        public Builder connectionTimeout(Duration timeout) {
            this.connectionTimeout = positive(timeout, "connectionTimeout");
            return this;
        }

        /** TLS handshake timeout of a {@link TlsBackend}; default {@link #HANDSHAKE_TIMEOUT}. */
        public Builder handshakeTimeout(Duration timeout) {
            this.handshakeTimeout = positive(timeout, "handshakeTimeout");
            return this;
        }

        /** Starts a plain-TCP backend. */
        public DigestingBackend start() {
            return new DigestingBackend(copy(), null);
        }

        /**
         * Starts a backend terminating TLS with {@code serverContext}: it records the SNI of each ClientHello
         * ({@link ConnectionReport#sni()}) and the client's SPIFFE ID ({@link ConnectionReport#peer()}).
         */
        public TlsBackend startTls(SslContext serverContext) {
            requireNonNull(serverContext, "serverContext");
            if (!serverContext.isServer()) {
                throw new IllegalArgumentException("serverContext: a client context (expected: a server context)");
            }
            return new TlsBackend(copy(), serverContext);
        }

        String describe() {
            switch (mode) {
                case ECHO:
                    return "echo, " + halfClose;
                case SINK_AND_SOURCE:
                    return "sink-and-source " + bytesToSend + " bytes (seed " + seed + "), " + halfClose;
                default:
                    return "reset-on-accept";
            }
        }

        private Builder copy() {
            Builder copy = new Builder();
            copy.mode = mode;
            copy.bytesToSend = bytesToSend;
            copy.seed = seed;
            copy.halfClose = halfClose;
            copy.host = host;
            copy.port = port;
            copy.connectionTimeout = connectionTimeout;
            copy.handshakeTimeout = handshakeTimeout;
            return copy;
        }

        private static Duration positive(Duration duration, String name) {
            requireNonNull(duration, name);
            if (duration.isNegative() || duration.isZero()) {
                throw new IllegalArgumentException(name + ": " + duration + " (expected: > 0)");
            }
            return duration;
        }
    }
}
