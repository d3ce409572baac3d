package io.fedgate.core.status;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

import io.fedgate.core.discovery.RemoteWatchStatus;
import io.fedgate.core.discovery.client.WatchStatus;

class PeerStatusViewTest {
    private static final Instant T1 = Instant.parse("2021-10-05T13:02:25Z");
    private static final Instant T2 = Instant.parse("2021-10-05T13:05:43Z");

    private static GatewayStatus ingress(boolean remoteConnected, Refusal refusal) {
        RemoteWatchStatus remote = new RemoteWatchStatus("green-mesh", "10.128.2.149", remoteConnected,
                remoteConnected ? 1 : 0, Optional.of(T1), Optional.of(T1), Optional.empty());
        return new GatewayStatus("ingress-green-mesh-7d9f", "ingress", "ingress-green-mesh", "red-mesh-system",
                List.of(new PeerStatus("green-mesh", List.of(remote), Optional.empty(), Optional.ofNullable(refusal))));
    }

    private static GatewayStatus egress(WatchStatus watch) {
        return new GatewayStatus("egress-green-mesh-5c4b", "egress", "egress-green-mesh", "red-mesh-system",
                List.of(new PeerStatus("green-mesh", List.of(), Optional.of(watch), Optional.empty())));
    }

    private static WatchStatus watch(boolean connected, Instant lastConnected, Instant lastDisconnect, String status,
                                     Instant lastEvent, Instant lastFullSync, String reason) {
        return new WatchStatus(connected, Optional.ofNullable(lastConnected), Optional.ofNullable(lastDisconnect),
                Optional.ofNullable(status), Optional.ofNullable(lastEvent), Optional.ofNullable(lastFullSync),
                Optional.of("127.0.2.1:8188"), Optional.ofNullable(reason));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> discoveryStatus(String yaml) {
        Map<String, Object> document = (Map<String, Object>) new Load(LoadSettings.builder().build()).loadFromString(yaml);
        return (Map<String, Object>) ((Map<String, Object>) document.get("status")).get("discoveryStatus");
    }

    @Test
    @SuppressWarnings("unchecked")
    void connectedLinkHasTheSeedsShape() {
        WatchStatus watch = watch(true, T1, null, "503 Service Unavailable", null, T2, null);
        PeerStatusView view = PeerStatusView.of("green-mesh", List.of(ingress(true, null), egress(watch)));

        assertThat(view.connected()).isTrue();
        assertThat(view.cause()).isEmpty();
        Map<String, Object> status = discoveryStatus(view.yaml());
        assertThat(status).containsOnlyKeys("active");
        Map<String, Object> entry = ((List<Map<String, Object>>) status.get("active")).get(0);
        assertThat(entry).containsOnlyKeys("pod", "remotes", "watch").containsEntry("pod", "egress-green-mesh-5c4b");
        assertThat((List<Map<String, Object>>) entry.get("remotes")).containsExactly(Map.of("connected", true,
                "lastConnected", "2021-10-05T13:02:25Z", "lastFullSync", "2021-10-05T13:02:25Z", "source", "10.128.2.149"));
        assertThat((Map<String, Object>) entry.get("watch")).isEqualTo(Map.of("connected", true,
                "lastConnected", "2021-10-05T13:02:25Z", "lastDisconnectStatus", "503 Service Unavailable",
                "lastFullSync", "2021-10-05T13:05:43Z"));
    }

    @Test
    void peerRefusingOurIdentityIsTheCause() {
        WatchStatus watch = watch(false, T2, T1, "403 Forbidden", null, null, null);
        PeerStatusView view = PeerStatusView.of("green-mesh", List.of(egress(watch), ingress(false, null)));

        assertThat(view.connected()).isFalse();
        assertThat(discoveryStatus(view.yaml())).containsOnlyKeys("inactive");
        assertThat(view.cause()).hasValueSatisfying(cause -> assertThat(cause).contains("HTTP 403", "clientID"));
        assertThat(view.yaml()).endsWith("\n# cause: " + view.cause().get() + "\n");
    }

    @Test
    void ourRefusalOfThePeerIsTheCauseWhenItsWatchIsDown() {
        WatchStatus watch = watch(true, T1, null, null, null, T2, null);
        Refusal refusal = new Refusal("service", "spiffe-id-mismatch",
                "presented spiffe://green-mesh.local/ns/x/sa/y, expected spiffe://green-mesh.local/ns/green-mesh-system/sa/egress-red-mesh-service-account", T2);

        PeerStatusView view = PeerStatusView.of("green-mesh", List.of(ingress(false, refusal), egress(watch)));

        assertThat(view.cause()).contains("we refused the peer's service connection: spiffe-id-mismatch: presented "
                + "spiffe://green-mesh.local/ns/x/sa/y, expected spiffe://green-mesh.local/ns/green-mesh-system/sa/"
                + "egress-red-mesh-service-account");
    }

    @Test
    void bothDirectionsDownNamesBothCauses() {
        WatchStatus watch = watch(false, T1, T2, "untrusted-chain: presented spiffe://green-mesh.local/ns/g/sa/i",
                null, null, null);
        Refusal refusal = new Refusal("discovery", "untrusted-chain", "presented spiffe://green-mesh.local/ns/g/sa/e", T2);

        PeerStatusView view = PeerStatusView.of("green-mesh", List.of(ingress(false, refusal), egress(watch)));

        assertThat(view.cause()).hasValueSatisfying(cause -> assertThat(cause)
                .startsWith("our watch of the peer is down: untrusted-chain: presented spiffe://green-mesh.local/ns/g/sa/i")
                .endsWith("; and we refused the peer's discovery connection: untrusted-chain: presented "
                        + "spiffe://green-mesh.local/ns/g/sa/e"));
    }

    @Test
    void refusedDiscoveryDataIsTheCause() {
        String refused = "refused discovery data: too-large: service list larger than 16777216 bytes";
        WatchStatus watch = watch(false, T2, T1, refused, T1, T1, null);

        PeerStatusView view = PeerStatusView.of("green-mesh", List.of(egress(watch), ingress(true, null)));

        assertThat(view.connected()).isFalse();
        assertThat(view.yaml()).contains("        lastDisconnectStatus: \"" + refused + "\"\n")
                .endsWith("\n# cause: the peer's discovery server sends data we refuse: too-large: service list larger "
                        + "than 16777216 bytes\n");
        assertThat(StatusJson.read(StatusJson.write(egress(watch)))).isEqualTo(egress(watch));
    }

    @Test
    void statusJsonRoundTrips() {
        Refusal refusal = new Refusal("discovery", "spiffe-id-mismatch", "presented a, expected b (HTTP 403)", T2);
        GatewayStatus status = ingress(true, refusal);
        GatewayStatus egress = egress(watch(false, T1, T2, "connection refused", T1, T2, "untrusted-chain"));

        assertThat(StatusJson.read(StatusJson.write(status))).isEqualTo(status);
        assertThat(StatusJson.read(StatusJson.write(egress))).isEqualTo(egress);
    }

    @Test
    void scalarsThatYamlWouldReadOtherwiseAreQuoted() {
        assertThat(PeerStatusView.scalar("503 Service Unavailable")).isEqualTo("503 Service Unavailable");
        assertThat(PeerStatusView.scalar("true")).isEqualTo("\"true\"");
        assertThat(PeerStatusView.scalar("a: b")).isEqualTo("\"a: b\"");
        assertThat(PeerStatusView.scalar("1.5")).isEqualTo("\"1.5\"");
    }
}
