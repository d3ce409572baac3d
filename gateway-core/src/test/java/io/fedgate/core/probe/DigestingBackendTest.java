package io.fedgate.core.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@link DigestingBackend}'s ways of going down and coming back, and its waits. */
class DigestingBackendTest {
    private static TrafficClient client;

    @BeforeAll
    static void startClient() {
        client = TrafficClient.create();
    }

    @AfterAll
    static void closeClient() {
        client.close();
    }

    @Test
    void refusesConnectionsWhileStoppedAndServesAgainOnTheSamePort() {
        try (DigestingBackend backend = DigestingBackend.echo()) {
            backend.stopAccepting();
            ConnectionReport refused = client.to(backend.address()).send(10, 1).run();
            assertThat(refused.ending()).as("%s", refused).isEqualTo(Ending.CONNECT_FAILED);
            assertThat(refused.cause()).isPresent();
            assertThat(backend.accepted()).isZero();

            backend.startAccepting();
            ConnectionReport served = client.to(backend.address()).send(10, 1).run();
            assertThat(served.ending()).as("%s", served).isEqualTo(Ending.EOF);
            assertThat(served.bytesReceived()).isEqualTo(10);
            assertThat(backend.accepted()).isEqualTo(1);
        }
    }

    @Test
    void resetOnAcceptResetsEveryConnection() {
        try (DigestingBackend backend = DigestingBackend.builder().resetOnAccept().start()) {
            ConnectionReport sent = client.to(backend.address()).send(1 << 20, 1).run();

            assertThat(sent.ending()).as("%s", sent).isEqualTo(Ending.RESET);
            assertThat(backend.awaitConnection().ending()).isEqualTo(Ending.CLOSED);
        }
    }

    @Test
    void resetConnectionsResetsTheOpenOnes() throws Exception {
        try (DigestingBackend backend = DigestingBackend.echo()) {
            CompletableFuture<ConnectionReport> open = client.to(backend.address()).send(100, 1)
                    .halfClose(HalfClose.NONE).timeout(Duration.ofSeconds(10)).start();
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (backend.openConnections() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(backend.openConnections()).isEqualTo(1);

            backend.resetConnections();

            ConnectionReport sent = open.get(10, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(sent.ending()).as("%s", sent).isEqualTo(Ending.RESET);
            assertThat(backend.awaitConnection().ending()).isEqualTo(Ending.CLOSED);
        }
    }

    @Test
    void reportsConnectionsInTheOrderTheyClosed() {
        try (DigestingBackend backend = DigestingBackend.sinkAndSource(1000, 4)) {
            for (int i = 0; i < 3; i++) {
                client.to(backend.address()).send(100 * (i + 1), i).run();
            }
            assertThat(backend.awaitConnections(3, Duration.ofSeconds(5)))
                    .extracting(ConnectionReport::bytesReceived).containsExactly(100L, 200L, 300L);
            assertThat(backend.connections()).hasSize(3);
            assertThat(backend.accepted()).isEqualTo(3);
        }
    }

    @Test
    void awaitingMoreConnectionsThanClosedFailsWithWhatIsKnown() {
        try (DigestingBackend backend = DigestingBackend.echo()) {
            assertThatThrownBy(() -> backend.awaitConnections(1, Duration.ofMillis(50)))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("only 0 of 1 connections to " + backend.address());
        }
    }

    @Test
    void listensOnlyOnLoopback() {
        assertThatThrownBy(() -> DigestingBackend.builder().host("10.0.0.1"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("loopback");
        try (DigestingBackend backend = DigestingBackend.builder().host("127.0.0.2").start()) {
            assertThat(backend.address().getAddress().getHostAddress()).isEqualTo("127.0.0.2");
            assertThat(client.to(backend.address()).send(10, 1).run().ending()).isEqualTo(Ending.EOF);
        }
    }
}
