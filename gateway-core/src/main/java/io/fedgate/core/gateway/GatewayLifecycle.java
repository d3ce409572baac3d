package io.fedgate.core.gateway;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;
import java.util.logging.Logger;

import io.netty.channel.Channel;

import io.fedgate.core.cli.GatewayOptions;
import io.fedgate.core.listener.DownstreamConnections;
import io.fedgate.core.metrics.GatewayMetrics;

/**
 * The parts of a gateway's life that the ingress and the egress share after start-up: reloads (from SIGHUP or a
 * watched file change, one at a time, all-or-nothing, counted and shown on {@code /healthz/ready}), the SIGTERM
 * drain (not ready, stop accepting, let live connections finish up to {@code --drain-timeout}, then close), and the
 * end the process waits for.
 */
public final class GatewayLifecycle {
    private static final Logger LOG = Logger.getLogger(GatewayLifecycle.class.getName());

    private final GatewayRole role;
    private final GatewayOptions options;
    private final GatewayHealth health;
    private final GatewayMetrics metrics;
    private final DownstreamConnections connections;
    private final CountDownLatch closed = new CountDownLatch(1);
    private ConfigWatcher watcher;

    public GatewayLifecycle(GatewayRole role, GatewayOptions options, GatewayHealth health, GatewayMetrics metrics,
                            DownstreamConnections connections) {
        this.role = requireNonNull(role, "role");
        this.options = requireNonNull(options, "options");
        this.health = requireNonNull(health, "health");
        this.metrics = requireNonNull(metrics, "metrics");
        this.connections = requireNonNull(connections, "connections");
    }

    public GatewayHealth health() {
        return health;
    }

    /**
     * Re-reads the config directory and the certificate files and, if they make a valid gateway, hands the new
     * context to {@code apply} (which swaps what new connections use). A refusal leaves everything as it was, is
     * logged with every problem, counted, and shown on {@code /healthz/ready} until a reload applies.
     *
     * @return whether the reload applied
     */
    public synchronized boolean reload(Consumer<GatewayContext> apply) {
        GatewayContext next;
        try {
            next = GatewayStartup.prepare(role, options);
            apply.accept(next);
        } catch (StartupException e) {
            refused(e.problems());
            return false;
        } catch (RuntimeException e) {
            refused(List.of(String.valueOf(e.getMessage())));
            return false;
        }
        metrics.configReload("applied");
        health.reloadApplied();
        LOG.info(() -> "reloaded: peers=" + next.peerNames() + " identity=" + next.identity().spiffeId());
        return true;
    }

    private void refused(List<String> problems) {
        metrics.configReload("refused");
        health.reloadRefused(problems);
        LOG.warning(() -> "reload refused, keeping the running config; " + problems.size() + " problem(s):\n  "
                + String.join("\n  ", problems));
    }

    /**
     * Watches the config directory and the certificate files, calling {@code reload} after each change. A
     * directory that cannot be watched is logged; SIGHUP still reloads.
     */
    public synchronized void watchFiles(Runnable reload) {
        try {
            watcher = ConfigWatcher.start(options.configDir(), List.of(options.certChain(), options.key(),
                    options.rootCert()), reload);
            LOG.fine(() -> "watching " + options.configDir() + " and the certificate files");
        } catch (IOException | RuntimeException e) {
            LOG.warning(() -> "cannot watch the config and certificate files (" + e.getMessage()
                    + "); reload with SIGHUP");
        }
    }

    /**
     * Drains, then runs {@code close}: readiness turns 503 for good, the {@code accepting} listeners stop accepting,
     * the connections of the {@code closeAtOnce} listeners end now (streams that never end by themselves), and the
     * rest may finish for up to {@code --drain-timeout} before they are closed. Blocks; call off any event loop.
     */
    public void drain(List<Channel> accepting, List<String> closeAtOnce, Runnable close) {
        health.draining();
        LOG.info(() -> "draining: not ready, no new connections, " + connections.active()
                + " open connection(s) may finish within " + options.drainTimeout());
        accepting.forEach(channel -> channel.close().awaitUninterruptibly());
        closeAtOnce.forEach(connections::close);
        boolean drained;
        try {
            drained = connections.awaitDrained(options.drainTimeout());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            drained = false;
        }
        if (drained) {
            LOG.info("drained: every connection finished");
        } else {
            int open = connections.active();
            LOG.warning(() -> "drain timeout: closing " + open + " connection(s) still open");
            connections.closeAll();
        }
        close.run();
    }

    /** Stops watching files; then the process may end ({@link #awaitClosed} returns). */
    public synchronized void closed() {
        if (watcher != null) {
            watcher.close();
        }
        closed.countDown();
    }

    /** Blocks until {@link #closed}. */
    public void awaitClosed() throws InterruptedException {
        closed.await();
    }
}
