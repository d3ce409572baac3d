package io.fedgate.core.testing;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

import io.fedgate.core.probe.ConnectionReport;
import io.fedgate.core.probe.Ending;
import io.fedgate.core.probe.TrafficClient;

/**
 * Echo connections back to back, on a thread of their own, while a test changes something under them (a rotation,
 * a reload): each sends {@code size} bytes to an echo service and must get them back intact. Bounded in count and
 * time; {@link #stop} ends it and says how many ran and which failed.
 */
public final class EchoLoad {
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final List<ConnectionReport> failures = new ArrayList<>();
    private final CompletableFuture<Integer> run;

    private EchoLoad(Supplier<TrafficClient.Request> connection, long size, int maxConnections, Duration maxTime) {
        this.run = CompletableFuture.supplyAsync(() -> {
            long deadline = System.nanoTime() + maxTime.toNanos();
            int count = 0;
            while (!stopping.get() && count < maxConnections && System.nanoTime() < deadline) {
                ConnectionReport report = connection.get().send(size, count).run();
                if (!isIntactEcho(report, size)) {
                    synchronized (failures) {
                        failures.add(report);
                    }
                }
                count++;
            }
            return count;
        });
    }

    /**
     * Starts the loop.
     *
     * @param connection a new request to the echo service (address, TLS context, server name), asked for each time,
     *                   so that a test can switch credentials while the load runs
     */
    public static EchoLoad start(Supplier<TrafficClient.Request> connection, long size, int maxConnections,
                                 Duration maxTime) {
        return new EchoLoad(requireNonNull(connection, "connection"), size, maxConnections, maxTime);
    }

    /** Whether {@code report} is a clean end with all {@code size} bytes echoed, SHA-256 equal. */
    public static boolean isIntactEcho(ConnectionReport report, long size) {
        return report.ending() == Ending.EOF && report.bytesSent() == size && report.bytesReceived() == size
                && report.sha256Received().equals(report.sha256Sent());
    }

    /** Stops the loop after the connection in flight; returns how many connections ran. */
    public int stop(Duration wait) throws InterruptedException, ExecutionException, TimeoutException {
        stopping.set(true);
        return run.get(wait.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The connections that did not echo intact, so far. */
    public List<ConnectionReport> failures() {
        synchronized (failures) {
            return List.copyOf(failures);
        }
    }
}
