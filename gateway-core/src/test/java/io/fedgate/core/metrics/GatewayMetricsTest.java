package io.fedgate.core.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import io.fedgate.core.gateway.GatewayRole;

class GatewayMetricsTest {

    private final PrometheusMeterRegistry registry = GatewayMetrics.newPrometheusRegistry();
    private final GatewayMetrics metrics = new GatewayMetrics(registry, GatewayRole.INGRESS);

    @Test
    void refusalsAreCountedByListenerReasonAndPeer() {
        metrics.downstreamRefused("service", "spiffe-id-mismatch", "green-mesh");
        metrics.downstreamRefused("service", "spiffe-id-mismatch", "green-mesh");
        metrics.downstreamRefused("service", "unknown-sni", "unknown");

        assertThat(registry.get("fedgate.ingress.downstream.cx.refused")
                .tags("listener", "service", "reason", "spiffe_id_mismatch", "peer", "green-mesh").counter().count())
                .isEqualTo(2.0);
        assertThat(registry.scrape()).contains(
                "fedgate_ingress_downstream_cx_refused_total{listener=\"service\",peer=\"unknown\",reason=\"unknown_sni\"} 1.0");
    }

    @Test
    void tcpMetersKeepIstioNames() {
        metrics.connectionOpened("green-mesh", "inbound", "ratings.bookinfo");
        metrics.connectionClosed("green-mesh", "inbound", "ratings.bookinfo", 300, 100);

        String scrape = registry.scrape();
        String tags = "{destination_service=\"ratings.bookinfo\",direction=\"inbound\",peer=\"green-mesh\"}";
        assertThat(scrape)
                .contains("istio_tcp_connections_opened_total" + tags + " 1.0")
                .contains("istio_tcp_connections_closed_total" + tags + " 1.0")
                .contains("istio_tcp_sent_bytes_total" + tags + " 300.0")
                .contains("istio_tcp_received_bytes_total" + tags + " 100.0");
    }

    @Test
    void upstreamConnectFailuresAreCountedPerService() {
        metrics.upstreamConnectFailed("ratings.bookinfo");
        assertThat(registry.get("fedgate.ingress.upstream.cx.connect.failures")
                .tag("destination_service", "ratings.bookinfo").counter().count()).isEqualTo(1.0);
    }

    @Test
    void refusedDiscoveryDataIsCountedByPeerAndCause() {
        GatewayMetrics egress = new GatewayMetrics(registry, GatewayRole.EGRESS);
        egress.discoveryDataRefused("green-mesh", "too-large");
        egress.discoveryDataRefused("green-mesh", "too-large");
        egress.discoveryDataRefused("green-mesh", "schema-invalid");

        assertThat(registry.get("fedgate.egress.discovery.data.refused")
                .tags("peer", "green-mesh", "cause", "too_large").counter().count()).isEqualTo(2.0);
        assertThat(registry.scrape()).contains(
                "fedgate_egress_discovery_data_refused_total{cause=\"schema_invalid\",peer=\"green-mesh\"} 1.0");
    }
}
