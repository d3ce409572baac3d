package io.fedgate.core.demo;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import io.netty.handler.ssl.SslContext;
import io.netty.util.ReferenceCountUtil;

import io.fedgate.core.demo.LoopbackFederation.Link;
import io.fedgate.core.probe.ConnectionReport;
import io.fedgate.core.probe.TrafficClient;
import io.fedgate.core.routing.SniName;

/**
 * Sends traffic over one federation link the way a workload of the calling mesh would: mTLS to its egress with the
 * workload's SVID and the import's Istio name ({@code outbound_.<port>_._.<import host>}), through the peer's
 * ingress to the peer's echo service, and back. A bulk transfer measures throughput and checks that the SHA-256 of
 * what came back equals that of what was sent (the echo returns every byte, so both directions are checked); then
 * short connections, each sending 1 KiB, measure the latency of a new federated connection (three TLS handshakes
 * along the path, plus one round trip).
 */
public final class LinkTraffic {
    private final LoopbackFederation federation;
    private final TrafficClient client;

    /** The outcome on one link. */
    public record Result(Link link, long bulkBytes, Duration bulkTime, String sha256, int connections,
                         double p50Millis, double p99Millis, Optional<String> failure) {
        public boolean ok() {
            return failure.isEmpty();
        }

        /** Bulk throughput in MiB/s, one way (the same bytes also came back). */
        public double mibPerSecond() {
            double seconds = bulkTime.toNanos() / 1e9;
            return seconds <= 0 ? 0 : bulkBytes / (1024.0 * 1024.0) / seconds;
        }
    }

    public LinkTraffic(LoopbackFederation federation, TrafficClient client) {
        this.federation = requireNonNull(federation, "federation");
        this.client = requireNonNull(client, "client");
    }

    /**
     * One connection over {@code link} sending {@code bytes} of the seeded stream; its report says what came back.
     */
    public ConnectionReport send(Link link, SslContext workload, long bytes, long seed, Duration timeout) {
        return client.to(federation.egressService(link))
                .tls(workload, SniName.outbound(federation.ports().echo(), link.importedHost()))
                .send(bytes, seed).timeout(timeout).run();
    }

    /** Why the report is not a clean echo of what was sent, if it is not. */
    public static Optional<String> echoProblem(ConnectionReport report) {
        if (report.handshake().isEmpty() || !report.handshake().get().isSuccess()) {
            return Optional.of("TLS handshake with the egress failed: "
                    + report.handshake().map(Object::toString).orElse("none (" + report.ending() + ")"));
        }
        if (report.cause().isPresent()) {
            return Optional.of("connection failed: " + report.cause().get());
        }
        if (report.bytesReceived() != report.bytesSent()) {
            return Optional.of("sent " + report.bytesSent() + " bytes, got " + report.bytesReceived() + " back ("
                    + report.ending() + ")");
        }
        if (!report.sha256Received().equals(report.sha256Sent())) {
            return Optional.of("what came back differs: sha256 " + report.sha256Received() + ", sent "
                    + report.sha256Sent());
        }
        return Optional.empty();
    }

    /**
     * Runs the bulk transfer, then {@code connections} short ones; stops at the first failure.
     *
     * @param timeout bound of each connection
     */
    public Result measure(Link link, long bulkBytes, int connections, Duration timeout) {
        SslContext workload = link.from().workloadClientContext(link.to());
        try {
            ConnectionReport bulk = send(link, workload, bulkBytes, link.hashCode(), timeout);
            Optional<String> problem = echoProblem(bulk);
            if (problem.isPresent()) {
                return new Result(link, bulkBytes, bulk.duration(), bulk.sha256Sent(), 0, 0, 0, problem);
            }
            double[] millis = new double[connections];
            for (int i = 0; i < connections; i++) {
                ConnectionReport small = send(link, workload, 1024, i, timeout);
                Optional<String> smallProblem = echoProblem(small);
                if (smallProblem.isPresent()) {
                    return new Result(link, bulkBytes, bulk.duration(), bulk.sha256Sent(), i, 0, 0,
                            Optional.of("connection " + (i + 1) + " of " + connections + ": " + smallProblem.get()));
                }
                millis[i] = small.duration().toNanos() / 1e6;
            }
            Arrays.sort(millis);
            return new Result(link, bulkBytes, bulk.duration(), bulk.sha256Sent(), connections,
                    percentile(millis, 0.50), percentile(millis, 0.99), Optional.empty());
        } finally {
            ReferenceCountUtil.release(workload);
        }
    }

    /** Nearest-rank percentile of sorted values. */
    static double percentile(double[] sorted, double quantile) {
        if (sorted.length == 0) {
            return 0;
        }
        int rank = (int) Math.ceil(quantile * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    /** Measures every link in turn. */
    public List<Result> measureAll(List<Link> links, long bulkBytes, int connections, Duration timeout) {
        List<Result> results = new ArrayList<>();
        for (Link link : links) {
            results.add(measure(link, bulkBytes, connections, timeout));
        }
        return results;
    }
}
