package io.fedgate.core.listener;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import org.junit.jupiter.api.Test;

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

    @Test
    void beyondTheLimitAConnectionIsClosedAndCounted() {
        try (AccessLog log = AccessLog.to(out, "test")) {
            DownstreamConnections connections = new DownstreamConnections(2, metrics, log);
            EmbeddedChannel first = new EmbeddedChannel();
            EmbeddedChannel second = new EmbeddedChannel();
            EmbeddedChannel third = new EmbeddedChannel();
            assertThat(connections.admit(first, "service")).isNotNull();
            assertThat(connections.admit(second, "service")).isNotNull();
            assertThat(connections.admit(third, "service")).isNull();
            assertThat(third.isOpen()).isFalse();
            assertThat(connections.active()).isEqualTo(2);
            assertThat(active()).isEqualTo(2);
            assertThat(registry.get("fedgate.ingress.downstream.cx.refused").tag("reason", "max_connections")
                    .counter().count()).isEqualTo(1);

            first.close();
            assertThat(connections.active()).isEqualTo(1);
            assertThat(connections.admit(new EmbeddedChannel(), "service")).as("room again").isNotNull();
        }
        // The refused connection had no record: only the one that closed is logged.
        assertThat(out.toString(StandardCharsets.UTF_8).lines()).hasSize(1);
    }

    @Test
    void aRelayedConnectionIsLoggedOnceBothTheDownstreamAndTheRelayHaveEnded() {
        try (AccessLog log = AccessLog.to(out, "test")) {
            DownstreamConnections connections = new DownstreamConnections(10, metrics, log);
            EmbeddedChannel downstream = new EmbeddedChannel();
            ConnectionRecord record = connections.admit(downstream, "service");
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
            DownstreamConnections connections = new DownstreamConnections(10, metrics, log);
            EmbeddedChannel open = new EmbeddedChannel();
            connections.admit(open, "service");
            EmbeddedChannel watch = new EmbeddedChannel();
            connections.admit(watch, "discovery");
            connections.close("discovery");
            assertThat(watch.isOpen()).isFalse();
            assertThat(connections.awaitDrained(Duration.ofMillis(100))).isFalse();
            connections.closeAll();
            assertThat(open.isOpen()).isFalse();
            assertThat(connections.awaitDrained(Duration.ofMillis(100))).isTrue();
        }
    }
}
