package io.fedgate.core.discovery;

import static io.fedgate.core.discovery.DiscoveryFixtures.DETAILS;
import static io.fedgate.core.discovery.DiscoveryFixtures.RATINGS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.fedgate.core.config.ServicePort;
import io.fedgate.core.config.TargetPort;
import io.fedgate.core.spiffe.InvalidSpiffeIdException;
import io.fedgate.core.spiffe.SpiffeId;
import io.netty.buffer.Unpooled;

/** One test per schema rule of {@link DiscoveryValidation}, each error naming its field path. */
class DiscoveryValidationTest {
    private static final String HOST = "ratings.bookinfo.svc.mesh2-exports.local";

    private static ServiceMessage service(String name, String namespace, String hostname) {
        return new ServiceMessage(name, namespace, hostname, RATINGS.servicePorts(), RATINGS.serviceAccounts());
    }

    private static ServiceMessage withPort(ServicePortMessage port) {
        return new ServiceMessage("ratings", "bookinfo", HOST, List.of(RATINGS.servicePorts().get(0), port),
                RATINGS.serviceAccounts());
    }

    private static ServiceMessage withAccount(String account) {
        return new ServiceMessage("ratings", "bookinfo", HOST, RATINGS.servicePorts(),
                List.of(RATINGS.serviceAccounts().get(0), account));
    }

    private static void assertInvalid(ServiceMessage service, String message) {
        assertThatThrownBy(() -> DiscoveryValidation.checkServices(List.of(DETAILS, service)))
                .isInstanceOf(DiscoveryFormatException.class)
                .hasMessage("services[1]." + message)
                .satisfies(e -> assertThat(((DiscoveryFormatException) e).malformed()).isFalse());
    }

    @Test
    void theVerifiedVectorsAndFedgatesOwnListsAreValid() {
        DiscoveryValidation.checkServices(List.of(RATINGS, DETAILS));
        DiscoveryValidation.checkServices(List.of());
        assertThat(DiscoveryValidation.check(WatchEvent.add(RATINGS, 1))).isEqualTo(WatchEvent.add(RATINGS, 1));
        ServiceListMessage served = ExportCatalog.serviceList(DiscoveryFixtures.greenExporting(
                "- type: NameSelector\n  nameSelector:\n    namespace: bookinfo\n    name: \"*\"\n"), "green-mesh",
                List.of(DiscoveryFixtures.RED_INGRESS));
        assertThat(served.services()).as("ratings, details and unnamed reviews").hasSize(3);
        DiscoveryValidation.checkServices(served.services());
    }

    @Test
    void nameIsRequiredAndADnsLabel() {
        assertInvalid(service("", "bookinfo", HOST), "name: missing");
        assertInvalid(service("Ratings", "bookinfo", HOST), "name: 'Ratings' is not a DNS-1123 label (lowercase "
                + "letters, digits and '-', starting and ending with a letter or digit, at most 63 characters)");
    }

    @Test
    void namespaceIsRequiredAndADnsLabel() {
        assertInvalid(service("ratings", "", HOST), "namespace: missing");
        assertThatThrownBy(() -> DiscoveryValidation.checkService(service("ratings", "book.info", HOST), "service"))
                .hasMessageStartingWith("service.namespace: 'book.info' is not a DNS-1123 label");
    }

    @Test
    void hostnameIsRequiredAndADnsName() {
        assertInvalid(service("ratings", "bookinfo", ""), "hostname: missing");
        for (String bad : List.of("10.0.0.1", "*.bookinfo.svc.x", "ratings..x", "ratings.x.", "rat ings.x")) {
            assertInvalid(service("ratings", "bookinfo", bad), "hostname: '" + bad + "' is not a DNS name");
        }
    }

    @Test
    void portsAreOneTo65535() {
        assertInvalid(withPort(new ServicePortMessage("tcp", 0, "TCP")),
                "servicePorts[1].port: 0 is not a port (1-65535)");
        DiscoveryValidation.checkService(withPort(new ServicePortMessage("tcp", 65535, "TCP")), "service");
    }

    @Test
    void protocolIsRequiredAndOneIstioNames() {
        assertInvalid(withPort(new ServicePortMessage("tcp", 9443, "")), "servicePorts[1].protocol: missing");
        assertThatThrownBy(() -> DiscoveryValidation.checkService(
                withPort(new ServicePortMessage("tcp", 9443, "tcp")), "service"))
                .hasMessageStartingWith("service.servicePorts[1].protocol: 'tcp' is not a protocol Istio names "
                        + "(expected one of GRPC, GRPC-Web, HTTP, HTTP2, HTTPS, HTTP_PROXY, Mongo, MySQL, Redis, TCP, "
                        + "TLS, Thrift, UDP, UnsupportedProtocol)");
        for (String protocol : IstioProtocol.NAMES) {
            DiscoveryValidation.checkService(withPort(new ServicePortMessage("p", 9443, protocol)), "service");
        }
    }

    @Test
    void everyProtocolFedgatesServerPublishesIsAccepted() {
        List<String> names = List.of("", "tcp", "udp", "grpc", "grpc-web", "http", "http_proxy", "http2", "https",
                "tls", "mongo", "redis", "mysql", "thrift", "other-x");
        for (String name : names) {
            for (int port : List.of(25, 8080)) {
                assertThat(IstioProtocol.of(ServicePort.tcp(name, port))).isIn(IstioProtocol.NAMES);
            }
        }
        assertThat(IstioProtocol.of(new ServicePort("dns", 53, "UDP", TargetPort.of(53))))
                .isIn(IstioProtocol.NAMES);
    }

    @Test
    void portNameIsEmptyOrADnsLabel() {
        DiscoveryValidation.checkService(withPort(new ServicePortMessage("", 9443, "TCP")), "service");
        assertInvalid(withPort(new ServicePortMessage("TCP_extra", 9443, "TCP")),
                "servicePorts[1].name: 'TCP_extra' is not a DNS-1123 label (lowercase letters, digits and '-', "
                        + "starting and ending with a letter or digit, at most 63 characters)");
    }

    @Test
    void serviceAccountsAreSpiffeIds() {
        assertInvalid(withAccount(""), "serviceAccounts[1]: missing");
        assertInvalid(withAccount("mesh1.local/ns/mesh1-system/sa/other"), "serviceAccounts[1]: "
                + "'mesh1.local/ns/mesh1-system/sa/other' is not a SPIFFE ID: must start with 'spiffe://'");
        assertInvalid(withAccount("spiffe://Mesh1.local/ns/x/sa/y"),
                "serviceAccounts[1]: 'spiffe://Mesh1.local/ns/x/sa/y' is not a SPIFFE ID: " + reasonFor(
                        "spiffe://Mesh1.local/ns/x/sa/y"));
    }

    private static String reasonFor(String id) {
        try {
            SpiffeId.parse(id);
            throw new AssertionError(id + " parsed");
        } catch (InvalidSpiffeIdException e) {
            return e.reason();
        }
    }

    @Test
    void aListPublishesEachHostnameOnce() {
        assertThatThrownBy(() -> DiscoveryValidation.checkServices(List.of(DETAILS, RATINGS, RATINGS)))
                .hasMessage("services[2].hostname: '" + HOST + "' is also the hostname of services[1]");
    }

    @Test
    void listErrorsNameTheServiceInWireOrder() {
        String bad = "{\"name\":\"zz\",\"namespace\":\"bookinfo\",\"hostname\":\"aa.bookinfo.svc.x\","
                + "\"servicePorts\":[{\"name\":\"http\",\"port\":0,\"protocol\":\"HTTP\"}]}";
        String good = DiscoveryJson.toJson(ServiceListMessage.of(List.of(RATINGS)));
        String list = good.substring(0, good.length() - 2) + "," + bad + "]}";

        assertThat(DiscoveryJson.readServiceList(list).services()).as("the tolerant reader keeps it, sorted first")
                .first().extracting(ServiceMessage::name).isEqualTo("zz");
        assertThatThrownBy(() -> DiscoveryJson.readValidServiceList(Unpooled.wrappedBuffer(
                list.getBytes(StandardCharsets.UTF_8))))
                .hasMessage("services[1].servicePorts[0].port: 0 is not a port (1-65535)");
    }

    @Test
    void eventsCarryAValidServiceUnlessResync() {
        assertThatThrownBy(() -> DiscoveryJson.readValidWatchEvent("{\"action\":\"add\",\"service\":{\"name\":null},"
                + "\"checksum\":1}"))
                .isInstanceOf(DiscoveryFormatException.class)
                .hasMessage("service.name: missing");
        assertThatThrownBy(() -> DiscoveryJson.readValidWatchEvent("{\"action\":\"delete\",\"service\":"
                + "{\"name\":\"ratings\",\"namespace\":\"bookinfo\",\"hostname\":\"-bad\"},\"checksum\":1}"))
                .hasMessage("service.hostname: '-bad' is not a DNS name");
        assertThatThrownBy(() -> DiscoveryJson.readValidWatchEvent("{\"action\":\"remove\",\"checksum\":1}"))
                .hasMessage("action: unknown action 'remove' (expected: add, update, delete)");
        assertThatThrownBy(() -> DiscoveryJson.readValidWatchEvent("{\"action\":\"add\",\"checksum\":1}"))
                .hasMessage("service: missing in a add event");
        assertThat(DiscoveryJson.readValidWatchEvent("{\"action\":\"update\",\"checksum\":7}"))
                .isEqualTo(WatchEvent.resync(7));
        String update = DiscoveryJson.toJson(WatchEvent.update(RATINGS, 7));
        assertThat(DiscoveryJson.readValidWatchEvent(update.replace("{\"action\":\"update\",",
                "{\"action\":\"update\",\"future\":{\"x\":[1]},"))).as("unknown fields are still ignored")
                .isEqualTo(WatchEvent.update(RATINGS, 7));
    }

    @Test
    void syntaxErrorsAreMalformedAndShapeErrorsAreNot() {
        assertThatThrownBy(() -> DiscoveryJson.readValidWatchEvent("{\"action\":"))
                .satisfies(e -> assertThat(((DiscoveryFormatException) e).malformed()).isTrue());
        assertThatThrownBy(() -> DiscoveryJson.readValidWatchEvent("{\"action\":\"update\"} {}"))
                .satisfies(e -> assertThat(((DiscoveryFormatException) e).malformed()).isTrue());
        assertThatThrownBy(() -> DiscoveryJson.readValidWatchEvent("{\"action\":1}"))
                .satisfies(e -> assertThat(((DiscoveryFormatException) e).malformed()).isFalse());
    }
}
