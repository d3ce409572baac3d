package io.fedgate.core.discovery;

import static io.fedgate.core.discovery.DiscoveryFixtures.RED_INGRESS;
import static io.fedgate.core.discovery.DiscoveryFixtures.files;
import static io.fedgate.core.discovery.DiscoveryFixtures.greenExporting;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import io.fedgate.core.config.ConfigFixtures;
import io.fedgate.core.config.ConfigOptions;
import io.fedgate.core.config.FederationConfig;

/** Per-peer lists, events pushed to watchers on update, peer removal, and the status of remotes. */
class DiscoveryServerTest {
    private static final String RATINGS_ONLY = "- type: NameSelector\n  nameSelector:\n    namespace: bookinfo\n"
            + "    name: ratings\n";
    private static final String RATINGS_AND_DETAILS = RATINGS_ONLY
            + "- type: NameSelector\n  nameSelector:\n    namespace: bookinfo\n    name: details\n";
    private static final String RATINGS_HOST = "ratings.bookinfo.svc.green-mesh-exports.local";
    private static final String DETAILS_HOST = "details.bookinfo.svc.green-mesh-exports.local";

    private final MutableClock clock = new MutableClock(Instant.parse("2030-01-01T00:00:00Z"));

    private DiscoveryServer server(FederationConfig config) {
        return DiscoveryServer.builder().serviceAccounts(List.of(RED_INGRESS)).clock(clock).build(config);
    }

    @Test
    void servesEachPeerItsList() {
        DiscoveryServer server = server(greenExporting(RATINGS_ONLY));

        assertThat(server.peers()).containsExactly("green-mesh");
        assertThat(server.serviceList("green-mesh")).get().extracting(list -> list.services().get(0).hostname())
                .isEqualTo(RATINGS_HOST);
        assertThat(server.serviceList("blue-mesh")).isEmpty();
        assertThat(server.watch("blue-mesh", "10.0.0.1", new RecordingWatcher())).isEmpty();
    }

    @Test
    void onlyPeersOfTheIngressGatewayAreServed() {
        DiscoveryServer server = DiscoveryServer.builder().serviceAccounts(List.of(RED_INGRESS))
                .ingressGateway("ingress-other").build(greenExporting(RATINGS_ONLY));

        assertThat(server.peers()).isEmpty();
    }

    @Test
    void updatePushesTheDifferenceToWatchers() {
        DiscoveryServer server = server(greenExporting(RATINGS_ONLY));
        RecordingWatcher watcher = new RecordingWatcher();
        server.watch("green-mesh", "10.0.0.1", watcher).orElseThrow();

        server.update(greenExporting(RATINGS_AND_DETAILS));
        server.update(greenExporting(RATINGS_AND_DETAILS));
        server.update(greenExporting(RATINGS_ONLY.replace("name: ratings", "name: details")));

        ServiceListMessage last = server.serviceList("green-mesh").orElseThrow();
        assertThat(watcher.events).extracting(event -> event.action().wireName() + " " + event.service().hostname())
                .containsExactly("add " + DETAILS_HOST, "delete " + RATINGS_HOST);
        assertThat(watcher.events.get(1).checksum()).isEqualTo(last.checksum());
        assertThat(watcher.ended).isFalse();
    }

    @Test
    void removedPeerDeletesEveryServiceThenEndsItsWatches() {
        DiscoveryServer server = server(greenExporting(RATINGS_AND_DETAILS));
        RecordingWatcher watcher = new RecordingWatcher();
        server.watch("green-mesh", "10.0.0.1", watcher).orElseThrow();
        Map<String, String> noPeer = new LinkedHashMap<>(files(RATINGS_AND_DETAILS));
        noPeer.remove("peers/green.yaml");

        server.update(ConfigFixtures.load(noPeer, ConfigOptions.builder(ConfigFixtures.NAMESPACE).clock(ConfigFixtures.CLOCK).requirePeers(false).build()));

        assertThat(watcher.events).extracting(WatchEvent::action)
                .containsExactly(WatchEvent.Action.DELETE, WatchEvent.Action.DELETE);
        assertThat(watcher.events.get(1).checksum()).isEqualTo(ServiceListMessage.EMPTY.checksum());
        assertThat(watcher.ended).isTrue();
        assertThat(server.peers()).isEmpty();
        assertThat(server.watchCount("green-mesh")).isZero();
        assertThat(server.remotes()).singleElement().satisfies(remote -> assertThat(remote.connected()).isFalse());
    }

    @Test
    void closedWatchGetsNoMoreEvents() {
        DiscoveryServer server = server(greenExporting(RATINGS_ONLY));
        RecordingWatcher watcher = new RecordingWatcher();
        DiscoveryServer.Watch watch = server.watch("green-mesh", "10.0.0.1", watcher).orElseThrow();

        watch.close();
        watch.close();
        server.update(greenExporting(RATINGS_AND_DETAILS));

        assertThat(watcher.events).isEmpty();
        assertThat(server.watchCount("green-mesh")).isZero();
    }

    @Test
    void closeEndsWatchesWithoutDeletesAndRefusesNewOnes() {
        DiscoveryServer server = server(greenExporting(RATINGS_ONLY));
        RecordingWatcher watcher = new RecordingWatcher();
        server.watch("green-mesh", "10.0.0.1", watcher).orElseThrow();

        server.close();
        server.update(greenExporting(RATINGS_AND_DETAILS));

        assertThat(watcher.ended).isTrue();
        assertThat(watcher.events).isEmpty();
        assertThat(server.watch("green-mesh", "10.0.0.1", new RecordingWatcher())).isEmpty();
    }

    @Test
    void statusRecordsConnectsFullSyncsAndDisconnectsAndDropsOldRemotes() {
        DiscoveryServer server = server(greenExporting(RATINGS_ONLY));
        Instant start = clock.instant();
        DiscoveryServer.Watch watch = server.watch("green-mesh", "10.0.0.1", new RecordingWatcher()).orElseThrow();
        clock.advance(Duration.ofSeconds(1));
        assertThat(server.fullSync("green-mesh", "10.0.0.1")).isPresent();
        assertThat(server.fullSync("blue-mesh", "10.0.0.1")).isEmpty();

        assertThat(server.remotes()).containsExactly(new RemoteWatchStatus("green-mesh", "10.0.0.1", true, 1,
                Optional.of(start), Optional.of(start.plusSeconds(1)), Optional.empty()));

        clock.advance(Duration.ofSeconds(1));
        watch.close();
        assertThat(server.remotes()).containsExactly(new RemoteWatchStatus("green-mesh", "10.0.0.1", false, 0,
                Optional.of(start), Optional.of(start.plusSeconds(1)), Optional.of(start.plusSeconds(2))));

        clock.advance(Duration.ofMinutes(5).minusMillis(1));
        assertThat(server.remotes()).hasSize(1);
        clock.advance(Duration.ofMillis(1));
        assertThat(server.remotes()).isEmpty();
    }

    @Test
    void remoteStaysConnectedWhileAnyOfItsWatchesIsOpen() {
        DiscoveryServer server = server(greenExporting(RATINGS_ONLY));
        DiscoveryServer.Watch first = server.watch("green-mesh", "10.0.0.1", new RecordingWatcher()).orElseThrow();
        server.watch("green-mesh", "10.0.0.1", new RecordingWatcher()).orElseThrow();
        server.watch("green-mesh", "10.0.0.2", new RecordingWatcher()).orElseThrow();

        first.close();

        assertThat(server.remotes()).extracting(RemoteWatchStatus::source, RemoteWatchStatus::activeWatches)
                .containsExactly(tuple("10.0.0.1", 1),
                        tuple("10.0.0.2", 1));
        assertThat(server.watchCount("green-mesh")).isEqualTo(2);
    }

    /** Records what a watcher is told. */
    static final class RecordingWatcher implements DiscoveryWatcher {
        final List<WatchEvent> events = new ArrayList<>();
        boolean ended;

        @Override
        public void onEvent(WatchEvent event) {
            assertThat(ended).as("event after end").isFalse();
            events.add(event);
        }

        @Override
        public void onEnd() {
            assertThat(ended).as("ended twice").isFalse();
            ended = true;
        }
    }

    /** A clock tests move by hand. */
    static final class MutableClock extends Clock {
        private Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        void advance(Duration duration) {
            now = now.plus(duration);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }
}
