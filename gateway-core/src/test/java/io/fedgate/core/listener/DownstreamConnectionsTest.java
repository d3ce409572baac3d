package io.fedgate.core.listener;

import static io.fedgate.core.listener.DownstreamConnections.Budget.ADMIN;
import static io.fedgate.core.listener.DownstreamConnections.Budget.DISCOVERY;
import static io.fedgate.core.listener.DownstreamConnections.Budget.SERVICE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.channel.embedded.EmbeddedChannel;

import io.fedgate.core.gateway.GatewayRole;
import io.fedgate.core.logging.AccessLog;
import io.fedgate.core.metrics.GatewayMetrics;

class DownstreamConnectionsTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final GatewayMetrics metrics = new GatewayMetrics(registry, GatewayRole.INGRESS);
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    private double active() {
        return registry.get("fedgate.ingress.downstream.cx.active").tag("listener", "service").gauge().value();
    }

    private double refused(String listener, String reason) {
        Counter counter = registry.find("fedgate.ingress.downstream.cx.refused").tag("listener", listener)
                .tag("reason", reason).counter();
        return counter == null ? 0 : counter.count();
    }

    @Test
    void beyondTheLimitAConnectionIsClosedAndCounted() {
        try (AccessLog log = AccessLog.to(out, "test")) {
            // Three in all, one of them kept for discovery: two for service traffic.
            DownstreamConnections connections = new DownstreamConnections(new ConnectionLimits(3, 1, 1, 0), metrics, log);
            EmbeddedChannel first = new EmbeddedChannel();
            EmbeddedChannel second = new EmbeddedChannel();
            EmbeddedChannel third = new EmbeddedChannel();
            assertThat(connections.admit(first, "service", SERVICE)).isNotNull();
            assertThat(connections.admit(second, "service", SERVICE)).isNotNull();
            assertThat(connections.admit(third, "service", SERVICE)).isNull();
            assertThat(third.isOpen()).isFalse();
            assertThat(connections.active()).isEqualTo(2);
            assertThat(active()).isEqualTo(2);
            assertThat(registry.get("fedgate.ingress.downstream.cx.refused").tag("reason", "max_connections")
                    .counter().count()).isEqualTo(1);

            first.close();
            assertThat(connections.active()).isEqualTo(1);
            assertThat(connections.admit(new EmbeddedChannel(), "service", SERVICE)).as("room again").isNotNull();
        }
        // The refused connection had no record: only the one that closed is logged.
        assertThat(out.toString(StandardCharsets.UTF_8).lines()).hasSize(1);
    }

    @Test
    void aRelayedConnectionIsLoggedOnceBothTheDownstreamAndTheRelayHaveEnded() {
        try (AccessLog log = AccessLog.to(out, "test")) {
            DownstreamConnections connections = new DownstreamConnections(ConnectionLimits.of(10), metrics, log);
            EmbeddedChannel downstream = new EmbeddedChannel();
            ConnectionRecord record = connections.admit(downstream, "service", SERVICE);
            assertThat(ConnectionRecord.of(downstream)).isSameAs(record);
            record.relayStarted("cluster", null);
            downstream.close();
            connections.relayEnded(record, 5, 7, null);
        }
        assertThat(out.toString(StandardCharsets.UTF_8).lines()).singleElement().asString()
                .contains("\"bytes_received\":5", "\"bytes_sent\":7", "\"result\":\"relayed\"");
    }

    @Test
    void drainingWaitsForTheLastConnectionAndCloseAllEndsTheRest() throws InterruptedException {
        try (AccessLog log = AccessLog.to(out, "test")) {
            DownstreamConnections connections = new DownstreamConnections(ConnectionLimits.of(10), metrics, log);
            EmbeddedChannel open = new EmbeddedChannel();
            connections.admit(open, "service", SERVICE);
            EmbeddedChannel watch = new EmbeddedChannel();
            connections.admit(watch, "discovery", DISCOVERY);
            connections.close("discovery");
            assertThat(watch.isOpen()).isFalse();
            assertThat(connections.awaitDrained(Duration.ofMillis(100))).isFalse();
            connections.closeAll();
            assertThat(open.isOpen()).isFalse();
            assertThat(connections.awaitDrained(Duration.ofMillis(100))).isTrue();
        }
    }

    @Test
    void aServiceFloodLeavesDiscoveryItsShareAndADiscoveryFloodLeavesServiceTheRest() {
        try (AccessLog log = AccessLog.to(out, "test")) {
            DownstreamConnections connections = new DownstreamConnections(new ConnectionLimits(6, 2, 1, 0), metrics, log);
            List<EmbeddedChannel> service = admitUntilRefused(connections, "service", SERVICE);
            assertThat(service).as("the service listener's budget: the total less discovery's share").hasSize(4);
            List<EmbeddedChannel> discovery = admitUntilRefused(connections, "discovery", DISCOVERY);
            assertThat(discovery).as("discovery's share, untouched by the service flood").hasSize(2);
            assertThat(refused("service", "max_connections")).isEqualTo(1);
            assertThat(refused("discovery", "max_connections")).isEqualTo(1);

            discovery.get(0).close();
            assertThat(connections.admit(new EmbeddedChannel(), "service", SERVICE))
                    .as("room freed by discovery is not service's to take").isNull();
            assertThat(connections.admit(new EmbeddedChannel(), "discovery", DISCOVERY)).isNotNull();
            service.forEach(EmbeddedChannel::close);
        }
    }

    @Test
    void theAdminBudgetIsItsOwnAndADrainDoesNotWaitForIt() throws InterruptedException {
        try (AccessLog log = AccessLog.to(out, "test")) {
            DownstreamConnections connections = new DownstreamConnections(new ConnectionLimits(2, 1, 2, 0), metrics, log);
            admitUntilRefused(connections, "service", SERVICE);
            admitUntilRefused(connections, "discovery", DISCOVERY);
            List<EmbeddedChannel> admin = admitUntilRefused(connections, "admin", ADMIN);
            assertThat(admin).as("admin's budget, outside the full total").hasSize(2);
            assertThat(refused("admin", "max_connections")).isEqualTo(1);
            assertThat(connections.active()).as("traffic connections only").isEqualTo(2);
            connections.closeAll();
            assertThat(connections.awaitDrained(Duration.ofMillis(100))).isTrue();
            EmbeddedChannel scraper = new EmbeddedChannel();
            assertThat(connections.admit(scraper, "admin", ADMIN)).isNotNull();
            assertThat(connections.awaitDrained(Duration.ofMillis(100))).as("an open admin connection").isTrue();
        }
        assertThat(out.toString(StandardCharsets.UTF_8)).as("admin connections are not access-logged")
                .doesNotContain("\"admin\"");
    }

    @Test
    void onePeerCannotTakeMoreThanItsPerPeerBudget() {
        try (AccessLog log = AccessLog.to(out, "test")) {
            DownstreamConnections connections = new DownstreamConnections(new ConnectionLimits(100, 1, 1, 2), metrics, log);
            EmbeddedChannel a1 = admitted(connections);
            EmbeddedChannel a2 = admitted(connections);
            EmbeddedChannel a3 = admitted(connections);
            assertThat(connections.admitToPeer(a1, "green-mesh")).isTrue();
            assertThat(connections.admitToPeer(a1, "green-mesh")).as("charged once per connection").isTrue();
            assertThat(connections.admitToPeer(a2, "green-mesh")).isTrue();
            assertThat(connections.admitToPeer(a3, "green-mesh")).isFalse();
            assertThat(connections.admitToPeer(admitted(connections), "blue-mesh")).as("another peer").isTrue();
            a1.close();
            assertThat(connections.admitToPeer(a3, "green-mesh")).as("room again").isTrue();
        }
    }

    @Test
    void withoutAPerPeerBoundEveryRouteIsAdmitted() {
        try (AccessLog log = AccessLog.to(out, "test")) {
            DownstreamConnections connections = new DownstreamConnections(ConnectionLimits.of(100), metrics, log);
            for (int i = 0; i < 50; i++) {
                assertThat(connections.admitToPeer(admitted(connections), "green-mesh")).isTrue();
            }
        }
    }

    @Test
    void limitsAreCheckedWhenBuilt() {
        assertThatThrownBy(() -> new ConnectionLimits(10, 10, 1, 0)).hasMessageContaining("less than the total");
        assertThatThrownBy(() -> new ConnectionLimits(1, 1, 1, 0)).hasMessageContaining("at least 2");
        assertThat(ConnectionLimits.of(20_000).discovery()).isEqualTo(256);
        assertThat(ConnectionLimits.of(20_000).service()).isEqualTo(19_744);
        assertThat(ConnectionLimits.of(50).discovery()).as("a quarter of a small total").isEqualTo(12);
        assertThat(ConnectionLimits.of(2).discovery()).isEqualTo(1);
    }

    private static EmbeddedChannel admitted(DownstreamConnections connections) {
        EmbeddedChannel channel = new EmbeddedChannel();
        assertThat(connections.admit(channel, "service", SERVICE)).isNotNull();
        return channel;
    }

    /** Admits connections until one is refused; returns the admitted ones (the refused one is closed). */
    private static List<EmbeddedChannel> admitUntilRefused(DownstreamConnections connections, String listener,
                                                           DownstreamConnections.Budget budget) {
        List<EmbeddedChannel> admitted = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            EmbeddedChannel channel = new EmbeddedChannel();
            if (connections.admit(channel, listener, budget) == null) {
                assertThat(channel.isOpen()).isFalse();
                return admitted;
            }
            admitted.add(channel);
        }
        throw new AssertionError("never refused");
    }
}
