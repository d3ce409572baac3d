package io.fedgate.bench;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.local.LocalAddress;
import io.netty.channel.local.LocalChannel;
import io.netty.channel.local.LocalIoHandler;
import io.netty.channel.local.LocalServerChannel;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Promise;

import io.fedgate.core.relay.Relay;
import io.fedgate.core.relay.RelayBuffers;

/**
 * Throughput of one {@link Relay} direction, downstream to upstream, in 16 KiB buffers: the per-buffer cost of the
 * relay's handlers (read, write without flush, one flush per read burst, read-again only while the target is
 * writable) and of the two pipelines a relayed byte crosses, the work a gateway does for every byte it forwards.
 *
 * <p>The relay needs its two channels on one event loop, which a pair of {@code EmbeddedChannel}s (one loop each)
 * cannot give, so this runs a real connection chain in the JVM, all on one {@link LocalIoHandler} event loop and
 * without sockets: caller {@code LocalChannel} to the gateway's accepted downstream channel, {@link Relay} to the
 * upstream channel it connected, to a backend that counts and releases what it gets. The channels are set up as the
 * gateways set theirs ({@code AUTO_READ} off, half-closure on, {@link RelayBuffers#WATER_MARK}).
 *
 * <p>Each invocation hands {@value #BUFFERS} buffers of {@value #BUFFER_SIZE} bytes (1 MiB) to the caller channel from
 * the benchmark thread and waits until the backend has them all; the score is buffers per second, and the
 * {@code :bytes} result the same in bytes per second. The local transport passes {@code ByteBuf} references and the
 * relay forwards them as they are, so nothing is copied: this is per-buffer overhead, not memory bandwidth, and
 * excludes socket and TLS costs (see {@link TlsRecordBenchmark}). The hand-off to the event loop and back is included,
 * amortized over the {@value #BUFFERS} buffers.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class RelayBenchmark {
    /** Bytes per buffer: the largest TLS record's plaintext, what a gateway typically reads at once. */
    static final int BUFFER_SIZE = 16 * 1024;
    /** Buffers per invocation. */
    static final int BUFFERS = 64;
    private static final long BYTES_PER_INVOCATION = (long) BUFFERS * BUFFER_SIZE;
    private static final long TIMEOUT_SECONDS = 10;

    private EventLoopGroup group;
    private EventLoop loop;
    private Channel backendServer;
    private Channel gatewayServer;
    private Channel caller;
    private Relay relay;
    private Backend backend;
    /** Read-only payload; every write sends a retained duplicate, released by the backend. */
    private ByteBuf payload;

    @Setup
    public void setUp() throws Exception {
        group = new MultiThreadIoEventLoopGroup(1, LocalIoHandler.newFactory());
        loop = group.next();
        String suffix = Long.toHexString(System.nanoTime());
        LocalAddress backendAddress = new LocalAddress("fedgate-bench-backend-" + suffix);
        LocalAddress gatewayAddress = new LocalAddress("fedgate-bench-gateway-" + suffix);

        backend = new Backend();
        backendServer = new ServerBootstrap().group(group).channel(LocalServerChannel.class)
                .childHandler(backend)
                .bind(backendAddress).sync().channel();

        CompletableFuture<Relay> started = new CompletableFuture<>();
        gatewayServer = new ServerBootstrap().group(group).channel(LocalServerChannel.class)
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, RelayBuffers.WATER_MARK)
                .childHandler(new ConnectUpstreamHandler(backendAddress, started))
                .bind(gatewayAddress).sync().channel();

        caller = new Bootstrap().group(group).channel(LocalChannel.class)
                .handler(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        ReferenceCountUtil.release(msg); // Nothing comes back; release whatever would.
                    }
                })
                .connect(gatewayAddress).sync().channel();
        relay = started.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);

        payload = PooledByteBufAllocator.DEFAULT.directBuffer(BUFFER_SIZE);
        for (int i = 0; i < BUFFER_SIZE; i++) {
            payload.writeByte(i * 31 + 7);
        }

        // One pump before measuring: the bytes must arrive, through the relay, and every buffer be released.
        pump();
        long relayed = loop.submit(relay::bytesFromDownstream).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        if (relayed != BYTES_PER_INVOCATION) {
            throw new IllegalStateException("the relay counted " + relayed + " bytes, expected " + BYTES_PER_INVOCATION);
        }
        checkAllReleased();
    }

    @TearDown
    public void tearDown() throws Exception {
        try {
            caller.close().sync();
            relay.downstream().closeFuture().await(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            relay.upstream().closeFuture().await(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            gatewayServer.close().sync();
            backendServer.close().sync();
            checkAllReleased();
        } finally {
            payload.release();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        }
    }

    @Benchmark
    @OperationsPerInvocation(BUFFERS)
    public long relay(ByteCounter counter) throws Exception {
        long received = pump();
        counter.bytes += BYTES_PER_INVOCATION;
        return received;
    }

    /** Sends {@link #BUFFERS} buffers from the caller and waits until the backend has received them all. */
    private long pump() throws InterruptedException, ExecutionException, TimeoutException {
        Promise<Long> delivered = loop.newPromise();
        loop.execute(() -> {
            backend.expect(BYTES_PER_INVOCATION, delivered);
            for (int i = 0; i < BUFFERS; i++) {
                caller.write(payload.retainedDuplicate(), caller.voidPromise());
            }
            caller.flush();
        });
        try {
            return delivered.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new IllegalStateException("the backend did not receive " + BYTES_PER_INVOCATION + " bytes within "
                    + TIMEOUT_SECONDS + " s; relay downstream active=" + relay.downstream().isActive()
                    + ", upstream active=" + relay.upstream().isActive(), e);
        }
    }

    private void checkAllReleased() {
        // Duplicates share the payload's reference count: 1 means every buffer sent was released.
        if (payload.refCnt() != 1) {
            throw new IllegalStateException("payload refCnt " + payload.refCnt() + " (expected: 1): a relayed buffer leaked");
        }
    }

    /**
     * The gateway's accepted (downstream) channel: connects upstream on its own event loop, then starts the relay,
     * as {@code UpstreamConnector} does in the gateways.
     */
    private static final class ConnectUpstreamHandler extends ChannelInboundHandlerAdapter {
        private final LocalAddress upstreamAddress;
        private final CompletableFuture<Relay> started;

        ConnectUpstreamHandler(LocalAddress upstreamAddress, CompletableFuture<Relay> started) {
            this.upstreamAddress = upstreamAddress;
            this.started = started;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            Channel downstream = ctx.channel();
            // The upstream shares the downstream's event loop, which Relay.start requires.
            new Bootstrap().group(downstream.eventLoop()).channel(LocalChannel.class)
                    .option(ChannelOption.AUTO_READ, false)
                    .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                    .option(ChannelOption.WRITE_BUFFER_WATER_MARK, RelayBuffers.WATER_MARK)
                    .handler(new ChannelInboundHandlerAdapter())
                    .connect(upstreamAddress)
                    .addListener((ChannelFutureListener) (ChannelFuture f) -> {
                        if (f.isSuccess()) {
                            started.complete(Relay.start(downstream, f.channel(), relay -> { }));
                        } else {
                            started.completeExceptionally(f.cause());
                            downstream.close();
                        }
                    });
            ctx.fireChannelActive();
        }
    }

    /** The backend: counts and releases what it reads; completes a promise once an expected count has arrived. */
    private static final class Backend extends ChannelInboundHandlerAdapter {
        // Touched on the event loop only.
        private long received;
        private long target = Long.MAX_VALUE;
        private Promise<Long> delivered;

        /** Completes {@code delivered} once {@code bytes} more than so far have been read. */
        void expect(long bytes, Promise<Long> delivered) {
            this.target = received + bytes;
            this.delivered = delivered;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof ByteBuf) {
                    received += ((ByteBuf) msg).readableBytes();
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
            if (delivered != null && received >= target) {
                Promise<Long> done = delivered;
                delivered = null;
                done.setSuccess(received);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (delivered != null) {
                delivered.tryFailure(cause);
            }
            ctx.close();
        }
    }
}
