package io.fedgate.core.listener;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.GlobalEventExecutor;

import io.fedgate.core.logging.AccessLog;
import io.fedgate.core.logging.RateLimitedLog;
import io.fedgate.core.metrics.GatewayMetrics;
import io.fedgate.core.status.RefusalLog;

/**
 * Every live downstream connection of a gateway, across its listeners: admits each accepted one under its
 * listener's budget of {@link ConnectionLimits} (beyond it a connection is closed at once and counted with reason
 * {@code max-connections} and its listener), and each service connection under its peer's budget once its route
 * names the peer ({@code max-connections-per-peer}); keeps the active count per listener for the metrics, writes
 * each connection's {@link ConnectionRecord} to the access log when it ends, and lets a draining gateway wait until
 * the last one has ended.
 */
public final class DownstreamConnections {

    /** Which budget of {@link ConnectionLimits} a listener's connections draw on. */
    public enum Budget {
        /** The service listeners (and the egress's plaintext ones): the total less discovery's share. */
        SERVICE,
        /** The discovery listener: its share of the total. */
        DISCOVERY,
        /** The admin listener: its own budget, outside the total; not access-logged, not waited for by a drain. */
        ADMIN
    }

    private static final Logger LOG = Logger.getLogger("io.fedgate.core.listener.Listener");
    private static final AttributeKey<Boolean> PEER_CHARGED = AttributeKey.valueOf("fedgate.peerCharged");

    private final ConnectionLimits limits;
    private final GatewayMetrics metrics;
    private final AccessLog accessLog;
    /** Service and discovery connections: what a drain waits for. */
    private final AtomicInteger active = new AtomicInteger();
    private final Map<Budget, AtomicInteger> activeByBudget = new EnumMap<>(Budget.class);
    private final ConcurrentMap<String, AtomicInteger> activeByPeer = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, AtomicInteger> activeByListener = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, ChannelGroup> channels = new ConcurrentHashMap<>();
    private final RateLimitedLog refusalLog = new RateLimitedLog(LOG, Level.WARNING, Duration.ofSeconds(10));

    /** @param accessLog where each connection's line goes when it ends */
    public DownstreamConnections(ConnectionLimits limits, GatewayMetrics metrics, AccessLog accessLog) {
        this.limits = requireNonNull(limits, "limits");
        this.metrics = requireNonNull(metrics, "metrics");
        this.accessLog = requireNonNull(accessLog, "accessLog");
        for (Budget budget : Budget.values()) {
            activeByBudget.put(budget, new AtomicInteger());
        }
    }

    /**
     * Admits an accepted connection of {@code listener}: attaches its record, or, beyond the budget, counts the
     * refusal and closes it. Call first in the listener's {@code initChannel}.
     *
     * @return the connection's record, or {@code null} if it was refused (build no pipeline for it)
     */
    public ConnectionRecord admit(Channel channel, String listener, Budget budget) {
        AtomicInteger budgetActive = activeByBudget.get(budget);
        int max = max(budget);
        if (budgetActive.incrementAndGet() > max) {
            budgetActive.decrementAndGet();
            metrics.downstreamRefused(listener, DownstreamRefusal.MAX_CONNECTIONS.code(), RefusalLog.UNKNOWN_PEER);
            logRefusal(listener, describe(budget));
            channel.close();
            return null;
        }
        boolean traffic = budget != Budget.ADMIN;
        if (traffic) {
            active.incrementAndGet();
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
            budgetActive.decrementAndGet();
            if (traffic) {
                active.decrementAndGet();
            }
        });
        if (traffic) {
            channel.pipeline().addFirst(RecordCompleter.NAME, new RecordCompleter(record));
        }
        return record;
    }

    /**
     * Charges a service connection to the peer its route leads to, under {@code --max-connections-per-peer}; at
     * most once per connection. Call on the connection's event loop when the route is known.
     *
     * @return whether the peer has room; if not, refuse the connection with {@code max-connections-per-peer}
     */
    public boolean admitToPeer(Channel channel, String peer) {
        if (limits.perPeer() == 0 || channel.hasAttr(PEER_CHARGED)) {
            return true;
        }
        AtomicInteger peerActive = activeByPeer.computeIfAbsent(peer, name -> new AtomicInteger());
        if (peerActive.incrementAndGet() > limits.perPeer()) {
            peerActive.decrementAndGet();
            return false; // the caller refuses it, and its reporter logs and counts it like any refused route
        }
        channel.attr(PEER_CHARGED).set(Boolean.TRUE);
        channel.closeFuture().addListener(f -> peerActive.decrementAndGet());
        return true;
    }

    private int max(Budget budget) {
        return switch (budget) {
            case SERVICE -> limits.service();
            case DISCOVERY -> limits.discovery();
            case ADMIN -> limits.admin();
        };
    }

    private String describe(Budget budget) {
        return switch (budget) {
            case SERVICE -> "--max-connections " + limits.total() + " less --max-discovery-connections "
                    + limits.discovery();
            case DISCOVERY -> "--max-discovery-connections " + limits.discovery();
            case ADMIN -> "--max-admin-connections " + limits.admin();
        };
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

    /** Service and discovery connections open now, together (what a drain waits for). */
    public int active() {
        return active.get();
    }

    /** The configured budgets. */
    public ConnectionLimits limits() {
        return limits;
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
     * One line per listener per ten seconds at most: a gateway at its limit refuses a flood, and a line per
     * connection would add disk I/O to the overload. The counter has every one.
     */
    private void logRefusal(String listener, String limit) {
        refusalLog.log(listener, suppressed -> "refused listener=" + listener + " reason=" + DownstreamRefusal.MAX_CONNECTIONS
                + ": a connection beyond " + limit + RateLimitedLog.suppressedSuffix(suppressed));
    }
}
