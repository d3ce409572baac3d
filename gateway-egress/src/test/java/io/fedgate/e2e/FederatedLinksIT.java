package io.fedgate.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.fedgate.core.demo.LinkTraffic;
import io.fedgate.core.demo.LinkTraffic.Result;
import io.fedgate.core.demo.LoopbackFederation;
import io.fedgate.core.demo.LoopbackFederation.Breakage;
import io.fedgate.core.demo.LoopbackFederation.Link;
import io.fedgate.core.demo.LoopbackFederation.Site;
import io.fedgate.core.probe.ConnectionReport;
import io.fedgate.core.probe.TrafficClient;
import io.fedgate.core.status.PeerStatusView;

/**
 * Two and three meshes, every gateway its own process (the demo's layout): every link carries digest-verified
 * traffic both ways, and every {@code ServiceMeshPeer} reports an active, connected watch and a connected remote.
 */
class FederatedLinksIT {
    private static final long BULK = 8L << 20;
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"red,green", "red,green,blue"})
    void everyLinkCarriesVerifiedTrafficAndEveryPeerIsConnected(String meshes) throws Exception {
        List<String> names = List.of(meshes.split(","));
        try (LoopbackFederation federation = Federations.create("links-" + names.size(), names, Breakage.NONE,
                List.of("-Xmx256m"));
             TrafficClient client = TrafficClient.create()) {
            Federations.start(federation);
            assertThat(federation.links()).hasSize(names.size() * (names.size() - 1));

            LinkTraffic traffic = new LinkTraffic(federation, client);
            for (Link link : federation.links()) {
                int before = federation.echoService(link.to()).connections().size();
                Result result = traffic.measure(link, BULK, 5, TIMEOUT);
                assertThat(result.failure()).as("%s", link).isEmpty();

                // The called mesh's echo saw exactly what the caller sent: the forward direction, checked at its end.
                List<ConnectionReport> seen = federation.echoService(link.to()).awaitConnections(before + 6, TIMEOUT);
                assertThat(seen.subList(before, seen.size())).as("%s: the echo's view of the bulk transfer", link)
                        .anySatisfy(report -> {
                            assertThat(report.bytesReceived()).isEqualTo(BULK);
                            assertThat(report.sha256Received()).isEqualTo(result.sha256());
                            assertThat(report.bytesSent()).isEqualTo(BULK);
                        });
            }

            for (Site site : federation.sites()) {
                for (Site peer : federation.sites()) {
                    if (site == peer) {
                        continue;
                    }
                    PeerStatusView view = federation.status(site, peer, new java.util.ArrayList<>()).orElseThrow();
                    Map<String, Object> status = StatusYaml.discoveryStatus(view.yaml());
                    assertThat(view.connected()).as("%s in %s:%n%s", peer, site, view.yaml()).isTrue();
                    assertThat(view.cause()).as("%s in %s", peer, site).isEmpty();
                    List<Map<String, Object>> active = StatusYaml.list(status, "active");
                    assertThat(active).as("%s in %s:%n%s", peer, site, view.yaml()).hasSize(1);
                    assertThat(StatusYaml.map(active.get(0), "watch")).containsEntry("connected", true);
                    assertThat(StatusYaml.list(active.get(0), "remotes")).as("%s", view.yaml())
                            .isNotEmpty().allSatisfy(remote -> assertThat(remote).containsEntry("connected", true));
                }
            }
        }
    }
}
