package io.fedgate.bench.load;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.ReferenceCountUtil;

import io.fedgate.core.relay.RelayBuffers;
import io.fedgate.core.tls.ClientSni;
import io.fedgate.core.transport.Transport;

/**
 * The load generator: one event loop (by default) driving many connections to one target, plain or TLS (a client
 * context and the server name to send, underscores included). Every workload is bounded by a duration and checks
 * what came back: the sink's byte count must equal what was sent, the echo must return every request.
 */
final class LoadClient implements AutoCloseable {
    static final int CHUNK = 64 << 10;
    static final int REQUEST = 1024;
    /** Latency samples kept per connection; beyond that, requests still count but are not sampled. */
    private static final int MAX_SAMPLES = 1 << 21;

    private final EventLoopGroup group;
    private final Transport transport;
    private final ByteBuf chunk;
    private final ByteBuf request;

    /** Where to connect and how. */
    record Target(InetSocketAddress address, SslContext tls, String serverName) {
        static Target plain(InetSocketAddress address) {
            return new Target(address, null, null);
        }
    }

    /** Bulk: bytes the sinks counted, over the time from first connect to last count. */
    record Bulk(long bytes, long nanos, int errors) {
        double megabytesPerSecond() {
            return bytes / 1e6 / (nanos / 1e9);
        }
    }

    /** Request/response: requests answered in the window, and latency samples in nanoseconds (sorted). */
    record RequestResponse(long requests, long nanos, long[] sortedLatencies, int errors) {
        double perSecond() {
            return requests / (nanos / 1e9);
        }

        double percentileMillis(double quantile) {
            if (sortedLatencies.length == 0) {
                return Double.NaN;
            }
            int rank = (int) Math.ceil(quantile * sortedLatencies.length);
            return sortedLatencies[Math.max(0, Math.min(sortedLatencies.length - 1, rank - 1))] / 1e6;
        }
    }

    /** Handshakes: connections that completed a full handshake and a one-byte echo. */
    record Handshakes(long completed, long nanos, int errors) {
        double perSecond() {
            return completed / (nanos / 1e9);
        }
    }

    LoadClient(int threads) {
        this.transport = Transport.select();
        this.group = transport.newEventLoopGroup(threads, "load-client");
        byte[] random = new byte[CHUNK];
        ThreadLocalRandom.current().nextBytes(random);
        this.chunk = Unpooled.unreleasableBuffer(Unpooled.directBuffer(CHUNK).writeBytes(random));
        this.request = Unpooled.unreleasableBuffer(Unpooled.directBuffer(REQUEST).writeBytes(random, 0, REQUEST));
    }

    /** {@code connections} streams into a sink for {@code seconds}. */
    Bulk bulk(Target target, int connections, double seconds) throws Exception {
        long deadline = System.nanoTime() + (long) (seconds * 1e9);
        long start = System.nanoTime();
        List<CompletableFuture<long[]>> done = new ArrayList<>();
        for (int i = 0; i < connections; i++) {
            CompletableFuture<long[]> result = new CompletableFuture<>();
            done.add(result);
            connect(target, new BulkHandler(deadline, result), result);
        }
        long bytes = 0;
        int errors = 0;
        for (CompletableFuture<long[]> result : done) {
            long[] sentAndCounted = outcome(result, seconds);
            if (sentAndCounted == null || sentAndCounted[0] != sentAndCounted[1] || sentAndCounted[1] < 0) {
                errors++;
            } else {
                bytes += sentAndCounted[1];
            }
        }
        return new Bulk(bytes, System.nanoTime() - start, errors);
    }

    /** {@code connections} each sending 1 KiB and awaiting its echo, back to back, for {@code seconds}. */
    RequestResponse requestResponse(Target target, int connections, double seconds) throws Exception {
        long deadline = System.nanoTime() + (long) (seconds * 1e9);
        List<CompletableFuture<long[]>> done = new ArrayList<>();
        long start = System.nanoTime();
        for (int i = 0; i < connections; i++) {
            CompletableFuture<long[]> result = new CompletableFuture<>();
            done.add(result);
            connect(target, new RequestResponseHandler(deadline, result), result);
        }
        List<long[]> all = new ArrayList<>();
        int errors = 0;
        long requests = 0;
        for (CompletableFuture<long[]> result : done) {
            long[] samples = outcome(result, seconds);
            if (samples == null) {
                errors++;
            } else {
                all.add(samples);
                requests += samples.length;
            }
        }
        long window = Math.max(1, Math.min(System.nanoTime(), deadline) - start);
        long[] merged = all.stream().flatMapToLong(Arrays::stream).sorted().toArray();
        return new RequestResponse(requests, window, merged, errors);
    }

    /** A connection's result, or null (logged) if it failed: a failed connection is counted, not fatal. */
    private static long[] outcome(CompletableFuture<long[]> result, double seconds) throws Exception {
        try {
            return result.get((long) seconds + 60, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            System.err.println("load connection failed: " + e.getCause());
            return null;
        }
    }

    /** {@code concurrency} loops of new connection, full handshake, 1-byte echo, close, for {@code seconds}. */
    Handshakes handshakes(Target target, int concurrency, double seconds) throws Exception {
        long deadline = System.nanoTime() + (long) (seconds * 1e9);
        long start = System.nanoTime();
        AtomicLong completed = new AtomicLong();
        AtomicInteger errors = new AtomicInteger();
        List<CompletableFuture<Void>> loops = new ArrayList<>();
        for (int i = 0; i < concurrency; i++) {
            CompletableFuture<Void> loop = new CompletableFuture<>();
            loops.add(loop);
            handshakeLoop(target, deadline, completed, errors, loop);
        }
        for (CompletableFuture<Void> loop : loops) {
            loop.get((long) seconds + 60, TimeUnit.SECONDS);
        }
        return new Handshakes(completed.get(), System.nanoTime() - start, errors.get());
    }

    private void handshakeLoop(Target target, long deadline, AtomicLong completed, AtomicInteger errors,
                               CompletableFuture<Void> loop) {
        if (System.nanoTime() >= deadline || errors.get() > 100) {
            loop.complete(null);
            return;
        }
        CompletableFuture<long[]> one = new CompletableFuture<>();
        connect(target, new PingHandler(one, true), one);
        one.whenComplete((ok, failure) -> {
            if (failure == null && ok != null) {
                completed.incrementAndGet();
            } else {
                errors.incrementAndGet();
            }
            handshakeLoop(target, deadline, completed, errors, loop);
        });
    }

    /**
     * Opens {@code count} connections that each completed its handshake and a 1-byte echo (so every hop is
     * established), at most {@code inFlight} opening at once, and leaves them open.
     */
    List<Channel> idle(Target target, int count, int inFlight) throws Exception {
        List<Channel> open = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger started = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        CompletableFuture<Void> all = new CompletableFuture<>();
        AtomicInteger finished = new AtomicInteger();
        Runnable[] next = new Runnable[1];
        next[0] = () -> {
            if (started.getAndIncrement() >= count) {
                return;
            }
            CompletableFuture<long[]> one = new CompletableFuture<>();
            PingHandler handler = new PingHandler(one, false);
            connect(target, handler, one);
            one.whenComplete((ok, failure) -> {
                if (failure == null && ok != null) {
                    open.add(handler.channel);
                } else {
                    failed.incrementAndGet();
                }
                if (finished.incrementAndGet() == count) {
                    all.complete(null);
                }
                next[0].run();
            });
        };
        for (int i = 0; i < Math.min(inFlight, count); i++) {
            next[0].run();
        }
        all.get(10, TimeUnit.MINUTES);
        if (failed.get() > 0) {
            open.forEach(Channel::close);
            throw new IllegalStateException(failed.get() + " of " + count + " idle connections failed to open");
        }
        return open;
    }

    private void connect(Target target, ChannelInboundHandlerAdapter handler, CompletableFuture<long[]> result) {
        ChannelFuture connect = new Bootstrap().group(group).channel(transport.socketChannelClass())
                .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, RelayBuffers.WATER_MARK)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        if (target.tls() != null) {
                            SslHandler ssl = target.tls().newHandler(ch.alloc(), target.serverName(),
                                    target.address().getPort());
                            ClientSni.request(ssl.engine(), target.serverName());
                            ssl.setHandshakeTimeoutMillis(10_000);
                            ch.pipeline().addLast(ssl);
                        }
                        ch.pipeline().addLast(handler);
                    }
                }).connect(target.address());
        connect.addListener(f -> {
            if (!f.isSuccess()) {
                result.completeExceptionally(f.cause());
            }
        });
    }

    /** Base: starts once the connection is usable (active, or TLS handshake done); fails the result otherwise. */
    private abstract static class Workload extends ChannelInboundHandlerAdapter {
        final CompletableFuture<long[]> result;
        Channel channel;

        Workload(CompletableFuture<long[]> result) {
            this.result = result;
        }

        abstract void start(ChannelHandlerContext ctx);

        @Override
        public void channelActive(ChannelHandlerContext ctx) throws Exception {
            channel = ctx.channel();
            if (ctx.pipeline().get(SslHandler.class) == null) {
                start(ctx);
            }
            super.channelActive(ctx);
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
            if (evt instanceof SslHandshakeCompletionEvent) {
                if (((SslHandshakeCompletionEvent) evt).isSuccess()) {
                    start(ctx);
                } else {
                    result.completeExceptionally(((SslHandshakeCompletionEvent) evt).cause());
                    ctx.close();
                }
            } else if (evt instanceof ChannelInputShutdownEvent) {
                inputEnded(ctx);
            }
            super.userEventTriggered(ctx, evt);
        }

        void inputEnded(ChannelHandlerContext ctx) {
            ctx.close();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            result.completeExceptionally(new IllegalStateException("closed before the workload finished"));
            super.channelInactive(ctx);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            result.completeExceptionally(cause);
            ctx.close();
        }

        /** Ends our output after what was written: a FIN below TLS (the relay propagates it as a half-close). */
        static void endOutput(ChannelHandlerContext ctx) {
            ctx.flush();
            ((DuplexChannel) ctx.channel()).shutdownOutput();
        }
    }

    /** Writes chunks while writable until the deadline, then ends its output and reads the sink's count. */
    private final class BulkHandler extends Workload {
        private final long deadline;
        private long sent;
        private long counted = -1;
        private ByteBuf countBytes;
        private boolean ending;
        private ChannelFuture lastWrite;

        BulkHandler(long deadline, CompletableFuture<long[]> result) {
            super(result);
            this.deadline = deadline;
        }

        @Override
        void start(ChannelHandlerContext ctx) {
            long delay = deadline - System.nanoTime();
            ctx.executor().schedule(() -> finish(ctx), Math.max(0, delay), TimeUnit.NANOSECONDS);
            ctx.read();
            pump(ctx);
        }

        private void pump(ChannelHandlerContext ctx) {
            while (!ending && ctx.channel().isWritable()) {
                lastWrite = ctx.write(chunk.retainedDuplicate());
                sent += CHUNK;
            }
            ctx.flush();
        }

        /**
         * Ends the output once the last chunk is on the wire: {@code shutdownOutput()} fails writes still queued,
         * which would lose bytes the sink then does not count.
         */
        private void finish(ChannelHandlerContext ctx) {
            if (ending) {
                return;
            }
            ending = true;
            ctx.flush();
            if (lastWrite == null) {
                endOutput(ctx);
            } else {
                lastWrite.addListener(written -> {
                    if (written.isSuccess()) {
                        endOutput(ctx);
                    }
                });
            }
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
            if (ctx.channel().isWritable() && !ending) {
                pump(ctx);
            }
            super.channelWritabilityChanged(ctx);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf in = (ByteBuf) msg;
            if (countBytes == null) {
                countBytes = ctx.alloc().buffer(8);
            }
            countBytes.writeBytes(in, Math.min(in.readableBytes(), countBytes.writableBytes()));
            in.release();
            if (countBytes.readableBytes() == 8) {
                counted = countBytes.readLong();
            }
        }

        @Override
        void inputEnded(ChannelHandlerContext ctx) {
            result.complete(new long[] {sent, counted});
            ctx.close();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            if (countBytes != null) {
                countBytes.release();
                countBytes = null;
            }
            if (counted >= 0) {
                result.complete(new long[] {sent, counted});
            }
            super.channelInactive(ctx);
        }
    }

    /** Sends 1 KiB, waits for its echo, records the latency, repeats until the deadline. */
    private final class RequestResponseHandler extends Workload {
        private final long deadline;
        private long[] samples = new long[1024];
        private int count;
        private long sentAt;
        private int pending;

        RequestResponseHandler(long deadline, CompletableFuture<long[]> result) {
            super(result);
            this.deadline = deadline;
        }

        @Override
        void start(ChannelHandlerContext ctx) {
            ctx.channel().config().setAutoRead(true);
            send(ctx);
        }

        private void send(ChannelHandlerContext ctx) {
            pending = REQUEST;
            sentAt = System.nanoTime();
            ctx.writeAndFlush(request.retainedDuplicate(), ctx.voidPromise());
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            pending -= ((ByteBuf) msg).readableBytes();
            ReferenceCountUtil.release(msg);
            if (pending > 0) {
                return;
            }
            long now = System.nanoTime();
            if (count < MAX_SAMPLES) {
                if (count == samples.length) {
                    samples = Arrays.copyOf(samples, samples.length * 2);
                }
                samples[count++] = now - sentAt;
            }
            if (now < deadline) {
                send(ctx);
            } else {
                result.complete(Arrays.copyOf(samples, count));
                endOutput(ctx);
            }
        }
    }

    /** Sends one byte and awaits its echo; then closes ({@code close}) or stays open (idle connections). */
    private static final class PingHandler extends Workload {
        private final boolean close;

        PingHandler(CompletableFuture<long[]> result, boolean close) {
            super(result);
            this.close = close;
        }

        @Override
        void start(ChannelHandlerContext ctx) {
            ctx.channel().config().setAutoRead(true);
            ctx.writeAndFlush(ctx.alloc().buffer(1).writeByte(42));
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ReferenceCountUtil.release(msg);
            result.complete(new long[0]);
            if (close) {
                ctx.close();
            }
        }
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
