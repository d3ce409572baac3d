package io.fedgate.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import io.netty.handler.ssl.SslContext;
import io.netty.util.ReferenceCountUtil;

import io.fedgate.core.demo.GatewayProcess;
import io.fedgate.core.demo.LinkTraffic;
import io.fedgate.core.demo.LoopbackFederation;
import io.fedgate.core.demo.LoopbackFederation.Breakage;
import io.fedgate.core.demo.LoopbackFederation.Link;
import io.fedgate.core.demo.LoopbackFederation.Site;
import io.fedgate.core.probe.ConnectionReport;
import io.fedgate.core.probe.TrafficClient;

/**
 * A bounded soak: three meshes, {@value #STREAMS_PER_LINK} concurrent connection loops on each of the six links
 * for {@code -Dfedgate.soak.seconds} (default {@value #DEFAULT_SECONDS} s, at most {@value #MAX_CONNECTIONS_PER_LOOP}
 * connections per loop), each connection echoing a pseudo-random size between 16 KiB and 2 MiB. Then:
 * <ul>
 *   <li>no connection failed and every byte came back unchanged (digests);</li>
 *   <li>every gateway counted as many connections closed as opened ({@code istio_tcp_connections_*_total});</li>
 *   <li>no gateway holds more file descriptors than before the soak plus {@value #FD_SLACK}, nor more than
 *       {@value #RSS_GROWTH_MIB} MiB more resident memory (heaps are fixed and pre-touched, so growth would be direct
 *       buffers, threads or code);</li>
 *   <li>no gateway logged a Netty buffer leak (leak detection at {@code advanced}).</li>
 * </ul>
 */
class SoakIT {
    private static final int DEFAULT_SECONDS = 45;
    private static final int STREAMS_PER_LINK = 4;
    private static final int MAX_CONNECTIONS_PER_LOOP = 5_000;
    private static final int FD_SLACK = 16;
    private static final int RSS_GROWTH_MIB = 96;
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @Test
    void manyConcurrentConnectionsOverEveryLinkLoseNothingAndLeakNothing() throws Exception {
        Duration duration = Duration.ofSeconds(Integer.getInteger("fedgate.soak.seconds", DEFAULT_SECONDS));
        try (LoopbackFederation federation = Federations.create("soak", List.of("red", "green", "blue"),
                Breakage.NONE, List.of("-Xms192m", "-Xmx192m", "-XX:+AlwaysPreTouch",
                        "-Dio.netty.leakDetection.level=advanced"));
             TrafficClient client = TrafficClient.create(2)) {
            Federations.start(federation);
            LinkTraffic traffic = new LinkTraffic(federation, client);
            for (Link link : federation.links()) { // warm-up: every code path once, pools allocated
                assertThat(traffic.measure(link, 4 << 20, 4, TIMEOUT).failure()).as("warm-up %s", link).isEmpty();
            }
            Map<GatewayProcess, long[]> before = footprints(federation);

            long deadline = System.nanoTime() + duration.toNanos();
            ExecutorService loops = Executors.newFixedThreadPool(federation.links().size() * STREAMS_PER_LINK);
            List<CompletableFuture<List<ConnectionReport>>> results = new ArrayList<>();
            try {
                int loop = 0;
                for (Link link : federation.links()) {
                    for (int stream = 0; stream < STREAMS_PER_LINK; stream++) {
                        long seed = 1000L * loop++;
                        results.add(CompletableFuture.supplyAsync(() -> loop(traffic, link, seed, deadline), loops));
                    }
                }
                List<ConnectionReport> all = new ArrayList<>();
                for (CompletableFuture<List<ConnectionReport>> result : results) {
                    all.addAll(result.get());
                }
                long bytes = all.stream().mapToLong(ConnectionReport::bytesSent).sum();
                List<String> failed = all.stream().map(LinkTraffic::echoProblem).flatMap(Optional::stream).toList();
                System.out.printf("SoakIT: %d connections, %d MiB echoed over %d links in %s, %d failed%n",
                        all.size(), bytes >> 20, federation.links().size(), duration, failed.size());
                assertThat(failed).as("failed connections of %d", all.size()).isEmpty();
                assertThat(all.size()).as("connections").isGreaterThan(federation.links().size() * STREAMS_PER_LINK);
            } finally {
                loops.shutdownNow();
            }

            // Connections are closed on both sides by now; let the gateways see the last FINs.
            assertThat(Federations.poll(() -> balanced(federation), Duration.ofSeconds(10)))
                    .as("every gateway closed every connection it opened:%n%s", counters(federation)).isTrue();
            Map<GatewayProcess, long[]> after = footprints(federation);
            for (GatewayProcess gateway : federation.gateways()) {
                long[] start = before.get(gateway);
                long[] end = after.get(gateway);
                System.out.printf("SoakIT: %s fds %d -> %d, rss %d -> %d MiB%n", gateway.name(), start[0], end[0],
                        start[1] >> 20, end[1] >> 20);
                assertThat(end[0]).as("%s file descriptors", gateway.name()).isLessThanOrEqualTo(start[0] + FD_SLACK);
                assertThat(end[1] - start[1]).as("%s resident memory growth", gateway.name())
                        .isLessThanOrEqualTo((long) RSS_GROWTH_MIB << 20);
                assertThat(gateway.log()).as("%s log", gateway.name()).doesNotContain("LEAK:");
            }
        }
    }

    private static List<ConnectionReport> loop(LinkTraffic traffic, Link link, long seed, long deadline) {
        SplittableRandom sizes = new SplittableRandom(seed);
        SslContext workload = link.from().workloadClientContext(link.to());
        List<ConnectionReport> reports = new ArrayList<>();
        try {
            for (int i = 0; i < MAX_CONNECTIONS_PER_LOOP && System.nanoTime() < deadline; i++) {
                long size = sizes.nextLong(16 << 10, 2 << 20);
                reports.add(traffic.send(link, workload, size, seed + i, TIMEOUT));
            }
        } finally {
            ReferenceCountUtil.release(workload);
        }
        return reports;
    }

    /** Per gateway: open file descriptors and resident bytes, from /proc. */
    private static Map<GatewayProcess, long[]> footprints(LoopbackFederation federation) throws IOException {
        Map<GatewayProcess, long[]> footprints = new LinkedHashMap<>();
        for (GatewayProcess gateway : federation.gateways()) {
            Path proc = Path.of("/proc", Long.toString(gateway.pid()));
            long fds;
            try (Stream<Path> entries = Files.list(proc.resolve("fd"))) {
                fds = entries.count();
            }
            Matcher rss = Pattern.compile("(?m)^VmRSS:\\s+(\\d+) kB").matcher(Files.readString(proc.resolve("status")));
            assertThat(rss.find()).as("VmRSS of %s", gateway.name()).isTrue();
            footprints.put(gateway, new long[] {fds, Long.parseLong(rss.group(1)) << 10});
        }
        return footprints;
    }

    private static boolean balanced(LoopbackFederation federation) {
        return counters(federation).values().stream().allMatch(counts -> counts[0] == counts[1] && counts[0] > 0);
    }

    /** Per gateway admin address: connections opened and closed, summed over labels. */
    private static Map<String, long[]> counters(LoopbackFederation federation) {
        Map<String, long[]> counters = new LinkedHashMap<>();
        HttpClient http = HttpClient.newHttpClient();
        for (Site site : federation.sites()) {
            for (Site peer : federation.sites()) {
                if (site == peer) {
                    continue;
                }
                for (String admin : federation.adminAddresses(site, peer)) {
                    try {
                        String metrics = http.send(HttpRequest.newBuilder(URI.create("http://" + admin
                                + "/stats/prometheus")).build(), HttpResponse.BodyHandlers.ofString()).body();
                        counters.put(admin, new long[] {sum(metrics, "istio_tcp_connections_opened_total"),
                                sum(metrics, "istio_tcp_connections_closed_total")});
                    } catch (IOException e) {
                        counters.put(admin, new long[] {-1, -2});
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        counters.put(admin, new long[] {-1, -2});
                    }
                }
            }
        }
        return counters;
    }

    private static long sum(String metrics, String name) {
        Matcher line = Pattern.compile("(?m)^" + name + "\\{[^}]*\\} ([0-9.eE+]+)$").matcher(metrics);
        double total = 0;
        while (line.find()) {
            total += Double.parseDouble(line.group(1));
        }
        return (long) total;
    }
}
