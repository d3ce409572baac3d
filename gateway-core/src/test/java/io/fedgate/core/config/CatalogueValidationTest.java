package io.fedgate.core.config;

import static io.fedgate.core.config.ConfigFixtures.errors;
import static io.fedgate.core.config.ConfigFixtures.validGreen;
import static io.fedgate.core.config.ConfigFixtures.warnings;
import static io.fedgate.core.config.ConfigFixtures.with;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Service and EndpointSlice problems, with their full messages. */
class CatalogueValidationTest {
    private static final String SERVICE_AT = "services/ratings.yaml doc 1 Service bookinfo/ratings: ";
    private static final String SLICE_AT = "services/ratings.yaml doc 1 EndpointSlice bookinfo/ratings-1: ";

    private static String service(String spec) {
        return "apiVersion: v1\nkind: Service\nmetadata:\n  name: ratings\n  namespace: bookinfo\nspec:\n"
                + ConfigFixtures.indent(spec, "  ");
    }

    private static String slice(String body) {
        return "apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata:\n  name: ratings-1\n"
                + "  namespace: bookinfo\n  labels:\n    kubernetes.io/service-name: ratings\n" + body;
    }

    static Stream<Arguments> serviceErrors() {
        return Stream.of(
                Arguments.of("no ports", "selector:\n  app: ratings\n", List.of(SERVICE_AT + "spec.ports: is required")),
                Arguments.of("empty ports", "ports: []\n", List.of(SERVICE_AT + "spec.ports: must not be empty")),
                Arguments.of("port out of range", "ports:\n- port: 0\n",
                        List.of(SERVICE_AT + "spec.ports[0].port: 0 is not a port (1-65535)")),
                Arguments.of("port missing", "ports:\n- targetPort: 9080\n",
                        List.of(SERVICE_AT + "spec.ports[0].port: is required")),
                Arguments.of("several unnamed ports", "ports:\n- port: 9080\n- port: 9443\n",
                        List.of(SERVICE_AT + "spec.ports[0].name: is required when a Service has several ports",
                                SERVICE_AT + "spec.ports[1].name: is required when a Service has several ports")),
                Arguments.of("duplicate names and numbers",
                        "ports:\n- name: http\n  port: 9080\n- name: http\n  port: 9080\n",
                        List.of(SERVICE_AT + "spec.ports[1].name: duplicate port name 'http' (also spec.ports[0])",
                                SERVICE_AT + "spec.ports[1].port: duplicate port 9080/TCP (also spec.ports[0])")),
                Arguments.of("bad protocol", "ports:\n- port: 9080\n  protocol: HTTP\n",
                        List.of(SERVICE_AT + "spec.ports[0].protocol: 'HTTP' is not a protocol (TCP, UDP or SCTP)")),
                Arguments.of("bad target ports", "ports:\n- name: a\n  port: 80\n  targetPort: http_alt\n"
                                + "- name: b\n  port: 81\n  targetPort: 70000\n- name: c\n  port: 82\n  targetPort: [1]\n",
                        List.of(SERVICE_AT + "spec.ports[0].targetPort: 'http_alt' is not a port name (at most 15 "
                                        + "lowercase letters, digits and '-', with at least one letter)",
                                SERVICE_AT + "spec.ports[1].targetPort: 70000 is not a port (1-65535)",
                                SERVICE_AT + "spec.ports[2].targetPort: expected an integer, got a list")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("serviceErrors")
    void reportsServiceErrors(String description, String spec, List<String> expected) {
        assertThat(errors(with(validGreen(), "services/ratings.yaml", service(spec))))
                .containsExactlyElementsOf(expected);
    }

    @Test
    void serviceNameMustBeADns1035Label() {
        String yaml = service("ports:\n- port: 80\n").replace("name: ratings", "name: 9lives");

        assertThat(errors(with(validGreen(), "services/ratings.yaml", yaml))).containsExactly(
                "services/ratings.yaml doc 1 Service bookinfo/9lives: metadata.name: '9lives' is not a DNS-1035 label "
                        + "(lowercase letters, digits and '-', starting with a letter and ending with a letter or "
                        + "digit, at most 63 characters)");
    }

    @Test
    void externalNameAndHeadlessServicesMayHaveNoPorts() {
        String yaml = service("type: ExternalName\nexternalName: ratings.example.com\n") + "---\n"
                + service("clusterIP: None\n").replace("name: ratings", "name: ratings-headless");

        FederationConfig config = ConfigFixtures.load(with(validGreen(), "services/ratings.yaml", yaml));

        assertThat(config.services()).extracting(Service::name).containsExactly("ratings", "ratings-headless");
        assertThat(config.service("bookinfo", "ratings").orElseThrow().ports()).isEmpty();
    }

    @Test
    void servicesOfEveryNamespaceAreKeptWithDefaults() {
        FederationConfig config = ConfigFixtures.load(with(validGreen(), "services/ratings.yaml",
                service("ports:\n- port: 9080\n  targetPort: http-alt\n")));

        Service ratings = config.service("bookinfo", "ratings").orElseThrow();
        assertThat(ratings.ports()).containsExactly(
                new ServicePort("", 9080, "TCP", TargetPort.named("http-alt")));
    }

    static Stream<Arguments> sliceErrors() {
        return Stream.of(
                Arguments.of("address type missing", "endpoints: []\n", List.of(SLICE_AT + "addressType: is required")),
                Arguments.of("unknown address type", "addressType: IPv5\n",
                        List.of(SLICE_AT + "addressType: 'IPv5' is not an address type (IPv4, IPv6 or FQDN)")),
                Arguments.of("addresses of the wrong type", "addressType: IPv4\nendpoints:\n"
                                + "- addresses: [fd00::1, 10.0.0.300]\n",
                        List.of(SLICE_AT + "endpoints[0].addresses[0]: 'fd00::1' is not an IPv4 address (addressType IPv4)",
                                SLICE_AT + "endpoints[0].addresses[1]: '10.0.0.300' is not an IPv4 address "
                                        + "(addressType IPv4)")),
                Arguments.of("bad FQDN", "addressType: FQDN\nendpoints:\n- addresses: [ratings_1.example.com]\n",
                        List.of(SLICE_AT + "endpoints[0].addresses[0]: 'ratings_1.example.com' is not a DNS name "
                                + "(addressType FQDN)")),
                Arguments.of("no addresses", "addressType: IPv6\nendpoints:\n- addresses: []\n- conditions: {}\n",
                        List.of(SLICE_AT + "endpoints[0].addresses: must not be empty",
                                SLICE_AT + "endpoints[1].addresses: is required")),
                Arguments.of("ready not a boolean", "addressType: IPv4\nendpoints:\n- addresses: [10.0.0.1]\n"
                                + "  conditions:\n    ready: \"yes\"\n",
                        List.of(SLICE_AT + "endpoints[0].conditions.ready: expected a boolean (true or false), got a "
                                + "string ('yes')")),
                Arguments.of("bad ports", "addressType: IPv4\nports:\n- name: http\n- name: http\n  port: 99999\n"
                                + "  protocol: ICMP\n",
                        List.of(SLICE_AT + "ports[0].port: is required",
                                SLICE_AT + "ports[1].name: duplicate port name 'http' (also ports[0])",
                                SLICE_AT + "ports[1].port: 99999 is not a port (1-65535)",
                                SLICE_AT + "ports[1].protocol: 'ICMP' is not a protocol (TCP, UDP or SCTP)")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("sliceErrors")
    void reportsEndpointSliceErrors(String description, String body, List<String> expected) {
        String yaml = service("ports:\n- port: 9080\n") + "---\n" + slice(body);

        assertThat(errors(with(validGreen(), "services/ratings.yaml", yaml)).stream()
                .map(line -> line.replace(" doc 2 ", " doc 1 "))).containsExactlyElementsOf(expected);
    }

    @Test
    void slicesWithoutTheirServiceAreWarnings() {
        String orphan = slice("addressType: IPv4\n");
        String unlabelled = slice("addressType: IPv4\n").replace("ratings-1", "ratings-2")
                .replace("  labels:\n    kubernetes.io/service-name: ratings\n", "");

        assertThat(warnings(with(validGreen(), "services/ratings.yaml", orphan + "---\n" + unlabelled))).containsExactly(
                "services/ratings.yaml doc 1 EndpointSlice bookinfo/ratings-1: metadata.labels.kubernetes.io/service-name: "
                        + "Service bookinfo/ratings not found; this EndpointSlice is unused",
                "services/ratings.yaml doc 2 EndpointSlice bookinfo/ratings-2: metadata.labels: no "
                        + "kubernetes.io/service-name label, so this EndpointSlice belongs to no Service and is unused");
    }
}
