package io.fedgate.core.discovery;

import static io.fedgate.core.discovery.DiscoveryFixtures.RED_INGRESS;
import static io.fedgate.core.discovery.DiscoveryFixtures.greenExporting;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.fedgate.core.config.FederationConfig;
import io.fedgate.core.config.ServicePort;
import io.fedgate.core.config.TargetPort;

/** The list a peer is served, built from export rules and the local catalogue, and the events between two lists. */
class ExportCatalogTest {
    private static final String BY_NAME = "- type: NameSelector\n  nameSelector:\n    namespace: bookinfo\n"
            + "    name: ratings\n";

    @Test
    void nameSelectorPublishesTheExportedNamePortsAndIngressAccounts() {
        ServiceListMessage list = ExportCatalog.serviceList(greenExporting(BY_NAME), "green-mesh",
                List.of(RED_INGRESS));

        assertThat(list.services()).containsExactly(new ServiceMessage("ratings", "bookinfo",
                "ratings.bookinfo.svc.green-mesh-exports.local", List.of(new ServicePortMessage("http", 9080, "HTTP")),
                List.of(RED_INGRESS)));
        assertThat(list.checksumMatches()).isTrue();
    }

    @Test
    void aliasRenamesWhatThePeerSees() {
        FederationConfig config = greenExporting("- type: NameSelector\n  nameSelector:\n    namespace: bookinfo\n"
                + "    name: ratings\n    alias:\n      namespace: shared\n      name: red-ratings\n");

        ServiceMessage ratings = ExportCatalog.serviceList(config, "green-mesh", List.of(RED_INGRESS)).services().get(0);

        assertThat(ratings.name()).isEqualTo("red-ratings");
        assertThat(ratings.namespace()).isEqualTo("shared");
        assertThat(ratings.hostname()).isEqualTo("red-ratings.shared.svc.green-mesh-exports.local");
    }

    @Test
    void labelSelectorExportsMatchingServicesSortedByHostname() {
        FederationConfig config = greenExporting("- type: LabelSelector\n  labelSelector:\n    namespace: bookinfo\n"
                + "    selector:\n      matchLabels:\n        export: \"true\"\n    aliases:\n"
                + "    - namespace: bookinfo\n      name: details\n      alias:\n        name: red-details\n");

        ServiceListMessage list = ExportCatalog.serviceList(config, "green-mesh", List.of(RED_INGRESS));

        assertThat(list.services()).extracting(ServiceMessage::hostname).containsExactly(
                "ratings.bookinfo.svc.green-mesh-exports.local", "red-details.bookinfo.svc.green-mesh-exports.local");
        assertThat(list.services().get(1).servicePorts()).containsExactly(
                new ServicePortMessage("http", 9080, "HTTP"), new ServicePortMessage("tcp-extra", 9443, "TCP"));
    }

    @Test
    void unnamedPortIsPublishedAsIstioWouldSniffIt() {
        FederationConfig config = greenExporting("- type: NameSelector\n  nameSelector:\n    namespace: bookinfo\n"
                + "    name: reviews\n");

        assertThat(ExportCatalog.serviceList(config, "green-mesh", List.of(RED_INGRESS)).services().get(0)
                .servicePorts()).containsExactly(new ServicePortMessage("", 8080, IstioProtocol.UNSUPPORTED));
    }

    @Test
    void accountsAreSortedAndDeduplicated() {
        ServiceListMessage list = ExportCatalog.serviceList(greenExporting(BY_NAME), "green-mesh",
                List.of("spiffe://b", RED_INGRESS, "spiffe://b"));

        assertThat(list.services().get(0).serviceAccounts()).containsExactly("spiffe://b", RED_INGRESS);
    }

    @Test
    void peerWithoutExportSetIsServedTheEmptyList() {
        assertThat(ExportCatalog.serviceList(greenExporting(null), "green-mesh", List.of(RED_INGRESS)))
                .isEqualTo(ServiceListMessage.EMPTY);
        assertThat(ExportCatalog.serviceList(greenExporting(BY_NAME), "blue-mesh", List.of(RED_INGRESS)))
                .isEqualTo(ServiceListMessage.EMPTY);
    }

    @Test
    void twoServicesAliasedToOneHostnamePublishTheFirst() {
        FederationConfig config = greenExporting("- type: NameSelector\n  nameSelector:\n    namespace: bookinfo\n"
                + "    name: '*'\n    alias:\n      name: one\n");

        ServiceListMessage list = ExportCatalog.serviceList(config, "green-mesh", List.of(RED_INGRESS));

        assertThat(list.services()).hasSize(1);
        assertThat(list.services().get(0).servicePorts()).hasSize(2); // bookinfo/details sorts first
    }

    @Test
    void istioProtocolFollowsThePortNamePrefix() {
        Map<ServicePort, String> expected = Map.of(
                ServicePort.tcp("http", 80), "HTTP",
                ServicePort.tcp("HTTP2-api", 81), "HTTP2",
                ServicePort.tcp("grpc-web-ui", 82), "GRPC-Web",
                ServicePort.tcp("grpc", 83), "GRPC",
                ServicePort.tcp("tcp-extra", 84), "TCP",
                ServicePort.tcp("https", 85), "HTTPS",
                ServicePort.tcp("mongo-main", 86), "Mongo",
                ServicePort.tcp("db", 3306), "TCP",
                ServicePort.tcp("web", 8080), IstioProtocol.UNSUPPORTED,
                new ServicePort("http", 53, "UDP", TargetPort.of(53)), "UDP");

        expected.forEach((port, protocol) -> assertThat(IstioProtocol.of(port)).as(port.toString()).isEqualTo(protocol));
    }

    @Test
    void diffAddsUpdatesAndDeletesByHostnameWithTheRunningChecksum() {
        ServiceMessage a = service("a", 1);
        ServiceMessage b = service("b", 1);
        ServiceMessage bChanged = service("b", 2);
        ServiceMessage c = service("c", 1);
        ServiceListMessage before = ServiceListMessage.of(List.of(a, b));
        ServiceListMessage after = ServiceListMessage.of(List.of(bChanged, c));

        List<WatchEvent> events = ExportCatalog.diff(before, after);

        assertThat(events).extracting(WatchEvent::action, WatchEvent::service).containsExactly(
                tuple(WatchEvent.Action.DELETE, a),
                tuple(WatchEvent.Action.UPDATE, bChanged),
                tuple(WatchEvent.Action.ADD, c));
        ServiceListMessage applied = before;
        for (WatchEvent event : events) {
            applied = applied.apply(event);
            assertThat(event.checksum()).isEqualTo(applied.checksum());
        }
        assertThat(applied).isEqualTo(after);
        assertThat(events.get(events.size() - 1).checksum()).isEqualTo(after.checksum());
    }

    @Test
    void diffIgnoresReorderedPortsAndAccounts() {
        ServiceMessage one = new ServiceMessage("a", "ns", "a.ns", List.of(new ServicePortMessage("x", 1, "TCP"),
                new ServicePortMessage("y", 2, "TCP")), List.of("s1", "s2"));
        ServiceMessage reordered = new ServiceMessage("a", "ns", "a.ns", List.of(new ServicePortMessage("y", 2, "TCP"),
                new ServicePortMessage("x", 1, "TCP")), List.of("s2", "s1"));

        assertThat(ExportCatalog.diff(ServiceListMessage.of(List.of(one)), ServiceListMessage.of(List.of(reordered))))
                .isEmpty();
    }

    @Test
    void diffToAndFromEmpty() {
        ServiceListMessage list = ServiceListMessage.of(List.of(service("a", 1), service("b", 1)));

        List<WatchEvent> deletes = ExportCatalog.diff(list, ServiceListMessage.EMPTY);
        List<WatchEvent> adds = ExportCatalog.diff(ServiceListMessage.EMPTY, list);

        assertThat(deletes).extracting(WatchEvent::action).containsOnly(WatchEvent.Action.DELETE).hasSize(2);
        assertThat(deletes.get(1).checksum()).isEqualTo(ServiceListMessage.EMPTY.checksum());
        assertThat(adds).extracting(WatchEvent::action).containsOnly(WatchEvent.Action.ADD).hasSize(2);
        assertThat(adds.get(1).checksum()).isEqualTo(list.checksum());
    }

    private static ServiceMessage service(String name, int port) {
        return new ServiceMessage(name, "ns", name + ".ns.svc.green-mesh-exports.local",
                List.of(new ServicePortMessage("tcp", port, "TCP")), List.of(RED_INGRESS));
    }
}
