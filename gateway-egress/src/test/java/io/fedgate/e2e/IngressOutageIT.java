package io.fedgate.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;

import io.netty.util.ReferenceCountUtil;
import io.fedgate.core.demo.GatewayProcess;
import io.fedgate.core.demo.LinkTraffic;
import io.fedgate.core.demo.LoopbackFederation;
import io.fedgate.core.demo.LoopbackFederation.Breakage;
import io.fedgate.core.demo.LoopbackFederation.Link;
import io.fedgate.core.demo.LoopbackFederation.Site;
import io.fedgate.core.probe.ConnectionReport;
import io.fedgate.core.probe.TrafficClient;
import io.fedgate.core.status.PeerStatusView;

/**
 * Three meshes; every ingress of red is killed (SIGKILL, a crash). The peers that call red (green and blue) report
 * red inactive with a cause, while traffic keeps flowing on every other link without a single failed connection;
 * restarting red's ingresses on the same addresses brings those peers back, and nothing else is restarted.
 */
class IngressOutageIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final Duration STATUS_CHANGE = Duration.ofSeconds(20);
    private static final int MAX_CONNECTIONS_PER_LINK = 400;
    private static final long BYTES_PER_CONNECTION = 256 << 10;

    @Test
    void otherLinksKeepWorkingWhileOneMeshsIngressesAreDownAndTheAffectedOnesRecover() throws Exception {
        try (LoopbackFederation federation = Federations.create("ingress-outage", List.of("red", "green", "blue"),
                Breakage.NONE, List.of("-Xmx256m"));
             TrafficClient client = TrafficClient.create(2)) {
            Federations.start(federation);
            Site red = federation.site("red");
            List<Link> affected = federation.links().stream().filter(link -> link.to() == red).toList();
            List<Link> unaffected = federation.links().stream().filter(link -> link.to() != red).toList();
            List<Long> othersBefore = otherPids(federation, red);

            // Traffic on every unaffected link, one connection after another per link, until the outage is over.
            AtomicBoolean stop = new AtomicBoolean();
            LinkTraffic traffic = new LinkTraffic(federation, client);
            List<CompletableFuture<List<ConnectionReport>>> loads = new ArrayList<>();
            for (Link link : unaffected) {
                loads.add(CompletableFuture.supplyAsync(() -> load(traffic, link, stop)));
            }
            Thread.sleep(500);

            List<GatewayProcess> killed = new ArrayList<>();
            for (Site peer : federation.sites()) {
                if (peer != red) {
                    GatewayProcess ingress = federation.ingress(red, peer).orElseThrow();
                    ingress.sendSignal("KILL");
                    ingress.awaitExit(TIMEOUT);
                    killed.add(ingress);
                }
            }
            for (Link link : affected) {
                boolean inactive = Federations.poll(() -> Federations.callerStatus(federation, link)
                        .map(view -> !view.connected() && view.cause().isPresent()).orElse(false), STATUS_CHANGE);
                PeerStatusView view = Federations.callerStatus(federation, link).orElseThrow();
                assertThat(inactive).as("%s: red in %s goes inactive with a cause:%n%s", link,
                        link.from().mesh().namespace(), view.yaml()).isTrue();
                Map<String, Object> status = StatusYaml.discoveryStatus(view.yaml());
                assertThat(StatusYaml.list(status, "inactive")).as("%s", view.yaml()).hasSize(1);
                assertThat(StatusYaml.map(StatusYaml.list(status, "inactive").get(0), "watch"))
                        .containsEntry("connected", false).containsKey("lastDisconnectStatus");
                System.out.println("IngressOutageIT: " + link + " down, cause: " + view.cause().get());
            }
            Thread.sleep(1000); // the other links carry on meanwhile

            for (Site peer : federation.sites()) {
                if (peer != red) {
                    federation.startIngress(red, peer, Federations.STARTUP);
                }
            }
            for (Link link : affected) {
                boolean recovered = Federations.poll(() -> Federations.callerStatus(federation, link)
                        .map(PeerStatusView::connected).orElse(false), Federations.CONNECT);
                assertThat(recovered).as("%s recovers:%n%s", link, Federations.statuses(federation)).isTrue();
            }
            stop.set(true);

            int total = 0;
            for (int i = 0; i < unaffected.size(); i++) {
                List<ConnectionReport> reports = loads.get(i).get();
                total += reports.size();
                List<String> failed = reports.stream().map(LinkTraffic::echoProblem)
                        .flatMap(java.util.Optional::stream).toList();
                assertThat(failed).as("failed connections on %s of %d", unaffected.get(i), reports.size()).isEmpty();
                assertThat(reports).as("%s carried traffic throughout", unaffected.get(i)).hasSizeGreaterThan(3);
            }
            System.out.println("IngressOutageIT: " + total + " connections on " + unaffected.size()
                    + " unaffected links, none failed");

            for (Link link : affected) {
                assertThat(traffic.measure(link, 1 << 20, 3, TIMEOUT).failure()).as("%s after the restart", link)
                        .isEmpty();
            }
            assertThat(otherPids(federation, red)).as("no other gateway was restarted").isEqualTo(othersBefore);
            assertThat(killed).allSatisfy(process -> assertThat(process.isAlive()).isFalse());
        }
    }

    private static List<ConnectionReport> load(LinkTraffic traffic, Link link, AtomicBoolean stop) {
        List<ConnectionReport> reports = new ArrayList<>();
        var workload = link.from().workloadClientContext(link.to());
        try {
            for (int i = 0; i < MAX_CONNECTIONS_PER_LINK && !stop.get(); i++) {
                reports.add(traffic.send(link, workload, BYTES_PER_CONNECTION, i, TIMEOUT));
            }
        } finally {
            ReferenceCountUtil.release(workload);
        }
        return reports;
    }

    private static List<Long> otherPids(LoopbackFederation federation, Site red) {
        List<Long> pids = new ArrayList<>();
        for (Site site : federation.sites()) {
            for (Site peer : federation.sites()) {
                if (site != peer) {
                    federation.egress(site, peer).map(GatewayProcess::pid).ifPresent(pids::add);
                    if (site != red) {
                        federation.ingress(site, peer).map(GatewayProcess::pid).ifPresent(pids::add);
                    }
                }
            }
        }
        return pids;
    }
}
