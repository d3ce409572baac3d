package io.fedgate.core.listener;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;

import io.fedgate.core.logging.AccessLog;
import io.fedgate.core.metrics.GatewayMetrics;
import io.fedgate.core.status.RefusalLog;

/**
 * Every live downstream connection of a gateway, across its listeners: admits each accepted one under the
 * {@code --max-connections} limit (Envoy's {@code global_downstream_max_connections}; beyond it a connection is
 * closed at once and counted with reason {@value #MAX_CONNECTIONS}), keeps the active count per listener for the
 * metrics, writes each connection's {@link ConnectionRecord} to the access log when it ends, and lets a draining
 * gateway wait until the last one has ended.
 */
public final class DownstreamConnections {
    /** Refusal reason: the gateway already holds {@code --max-connections} downstream connections. */
    public static final String MAX_CONNECTIONS = "max-connections";

    private static final Logger LOG = Logger.getLogger("io.fedgate.core.listener.Listener");
    private static final long REFUSAL_LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final int max;
    private final GatewayMetrics metrics;
    private final AccessLog accessLog;
    private final AtomicInteger active = new AtomicInteger();
    private final ConcurrentMap<String, AtomicInteger> activeByListener = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, ChannelGroup> channels = new ConcurrentHashMap<>();
    private final AtomicLong refusedSinceLog = new AtomicLong();
    private final AtomicLong lastRefusalLog = new AtomicLong(System.nanoTime() - REFUSAL_LOG_INTERVAL_NANOS);

    /**
     * @param max       most downstream connections held at once, all listeners together
     * @param accessLog where each connection's line goes when it ends
     */
    public DownstreamConnections(int max, GatewayMetrics metrics, AccessLog accessLog) {
        if (max < 1) {
            throw new IllegalArgumentException("max: " + max + " (expected: at least 1)");
        }
        this.max = max;
        this.metrics = requireNonNull(metrics, "metrics");
        this.accessLog = requireNonNull(accessLog, "accessLog");
    }

    /**
     * Admits an accepted connection of {@code listener}: attaches its record, or, beyond the limit, counts the
     * refusal and closes it. Call first in the listener's {@code initChannel}.
     *
     * @return the connection's record, or {@code null} if it was refused (build no pipeline for it)
     */
    public ConnectionRecord admit(Channel channel, String listener) {
        if (active.incrementAndGet() > max) {
            active.decrementAndGet();
            metrics.downstreamRefused(listener, MAX_CONNECTIONS, RefusalLog.UNKNOWN_PEER);
            logRefusal(listener);
            channel.close();
            return null;
        }
        AtomicInteger listenerActive = activeByListener.computeIfAbsent(listener, name -> {
            AtomicInteger count = new AtomicInteger();
            metrics.activeConnections(name, count);
            return count;
        });
        listenerActive.incrementAndGet();
        ConnectionRecord record = new ConnectionRecord(listener, channel.remoteAddress());
        channel.attr(ConnectionRecord.KEY).set(record);
        channels.computeIfAbsent(listener, name -> new DefaultChannelGroup(name, GlobalEventExecutor.INSTANCE))
                .add(channel);
        channel.closeFuture().addListener(f -> {
            listenerActive.decrementAndGet();
            active.decrementAndGet();
        });
        channel.pipeline().addFirst(RecordCompleter.NAME, new RecordCompleter(record));
        return record;
    }

    /**
     * Completes the record when the channel is unregistered: after every handler has seen it go inactive (the
     * reporter records a late refusal then), which a close-future listener would precede.
     */
    private final class RecordCompleter extends ChannelInboundHandlerAdapter {
        static final String NAME = "connection-record";
        private final ConnectionRecord record;

        RecordCompleter(ConnectionRecord record) {
            this.record = record;
        }

        @Override
        public void channelUnregistered(ChannelHandlerContext ctx) throws Exception {
            if (record.downstreamClosed()) {
                accessLog.log(record);
            }
            super.channelUnregistered(ctx);
        }
    }

    /**
     * The relay of {@code record}'s connection ended; logs the record if the downstream has closed too. Call from
     * the relay's end callback.
     */
    public void relayEnded(ConnectionRecord record, long received, long sent, Throwable failure) {
        if (record.relayEnded(received, sent, failure)) {
            accessLog.log(record);
        }
    }

    /** Downstream connections open now, all listeners together. */
    public int active() {
        return active.get();
    }

    /** The configured limit. */
    public int max() {
        return max;
    }

    /**
     * Waits until every downstream connection has ended, or {@code timeout} has passed. Call after the listeners
     * stopped accepting, off any event loop.
     *
     * @return whether all ended in time
     */
    public boolean awaitDrained(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (active.get() > 0) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            Thread.sleep(Math.min(TimeUnit.NANOSECONDS.toMillis(left) + 1, 50));
        }
        return true;
    }

    /** Closes every downstream connection still open (the end of a drain that timed out). */
    public void closeAll() {
        channels.values().forEach(group -> group.close().awaitUninterruptibly(5, TimeUnit.SECONDS));
    }

    /**
     * Closes the open connections of one listener: a draining ingress ends the discovery watches at once (the
     * peers' egresses reconnect elsewhere) rather than wait out the drain for streams that never end by themselves.
     */
    public void close(String listener) {
        ChannelGroup group = channels.get(listener);
        if (group != null) {
            group.close();
        }
    }

    public GatewayMetrics metrics() {
        return metrics;
    }

    /**
     * One line per ten seconds at most: a gateway at its limit refuses a flood, and a
     * line per connection would add disk I/O to the overload. The counter has every one.
     */
    private void logRefusal(String listener) {
        refusedSinceLog.incrementAndGet();
        long now = System.nanoTime();
        long last = lastRefusalLog.get();
        if (now - last >= REFUSAL_LOG_INTERVAL_NANOS && lastRefusalLog.compareAndSet(last, now)) {
            long count = refusedSinceLog.getAndSet(0);
            LOG.warning(() -> "refused listener=" + listener + " reason=" + MAX_CONNECTIONS + ": " + count
                    + " connection(s) beyond --max-connections " + max + " since the last such line");
        }
    }
}
