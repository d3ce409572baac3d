package io.fedgate.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import io.fedgate.core.demo.LoopbackFederation;
import io.fedgate.core.demo.LoopbackFederation.Breakage;
import io.fedgate.core.demo.LoopbackFederation.Link;
import io.fedgate.core.demo.LoopbackFederation.Ports;
import io.fedgate.core.status.PeerStatusView;

/**
 * Starting federations for the end-to-end tests: on free ports of the demo's loopback layout, with their files and
 * gateway logs under {@code target/e2e/<name>/} (kept for reading after a failure), and polling helpers.
 */
final class Federations {
    static final Duration STARTUP = Duration.ofSeconds(60);
    static final Duration CONNECT = Duration.ofSeconds(30);

    private Federations() {
    }

    /** A federation of {@code meshes}, written but not started, on a base port nothing listens on yet. */
    static LoopbackFederation create(String name, List<String> meshes, Breakage breakage, List<String> jvmArgs) {
        Path directory = Path.of("target", "e2e", name).toAbsolutePath();
        deleteRecursively(directory);
        for (int attempt = 0; attempt < 20; attempt++) {
            int base = randomBase();
            LoopbackFederation federation = LoopbackFederation.builder(meshes).directory(directory)
                    .ports(Ports.from(base)).breakage(breakage).jvmArgs(jvmArgs).build();
            if (federation.firstAddressInUse().isEmpty()) {
                return federation;
            }
        }
        throw new IllegalStateException("no free base port for " + meshes + " after 20 tries");
    }

    /** Writes, starts the echo services and every gateway, and waits until every peer not broken is connected. */
    static LoopbackFederation start(LoopbackFederation federation) throws InterruptedException {
        federation.writeFiles().startEchoServices().startGateways(STARTUP);
        assertThat(federation.awaitConnected(CONNECT)).as("every ServiceMeshPeer connected within %s:%n%s", CONNECT,
                statuses(federation)).isTrue();
        return federation;
    }

    /** Every peer's status, for failure messages. */
    static String statuses(LoopbackFederation federation) {
        StringBuilder out = new StringBuilder();
        for (LoopbackFederation.Site site : federation.sites()) {
            for (LoopbackFederation.Site peer : federation.sites()) {
                if (site != peer) {
                    List<String> problems = new ArrayList<>();
                    out.append("# ").append(peer.mesh().name()).append(" in ").append(site.mesh().namespace())
                            .append('\n').append(federation.status(site, peer, problems).map(PeerStatusView::yaml)
                                    .orElse("no status: " + problems)).append('\n');
                }
            }
        }
        return out.toString();
    }

    /** The status of the peer a link calls, in the caller's namespace: its egress's watch. */
    static Optional<PeerStatusView> callerStatus(LoopbackFederation federation, Link link) {
        return federation.status(link.from(), link.to(), new ArrayList<>());
    }

    /** The status of the caller in the called mesh's namespace: its ingress's view. */
    static Optional<PeerStatusView> calleeStatus(LoopbackFederation federation, Link link) {
        return federation.status(link.to(), link.from(), new ArrayList<>());
    }

    /** A random base port for {@link Ports#from}: four ports in 20000-49999, outside the ephemeral range. */
    static int randomBase() {
        return 20_000 + 4 * ThreadLocalRandom.current().nextInt(7_500);
    }

    /** Polls {@code condition} every 100 ms until it holds or {@code timeout} passes; returns whether it held. */
    static boolean poll(BooleanSupplier condition, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(100);
        }
        return true;
    }

    static void deleteRecursively(Path directory) {
        if (!Files.exists(directory)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(directory)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
