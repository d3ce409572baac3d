package io.fedgate.core.config;

import static io.fedgate.core.config.ConfigFixtures.errors;
import static io.fedgate.core.config.ConfigFixtures.files;
import static io.fedgate.core.config.ConfigFixtures.greenRoots;
import static io.fedgate.core.config.ConfigFixtures.greenSpec;
import static io.fedgate.core.config.ConfigFixtures.peer;
import static io.fedgate.core.config.ConfigFixtures.pem;
import static io.fedgate.core.config.ConfigFixtures.rootConfigMap;
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

/** Every ServiceMeshPeer and root-ConfigMap problem, with its full message. */
class PeerValidationTest {
    private static final String AT = "peers/green.yaml doc 1 ServiceMeshPeer red-mesh-system/green-mesh: ";
    private static final String ROOTS_AT = "roots/green.yaml doc 1 ConfigMap red-mesh-system/green-mesh-ca-root-cert: ";
    private static final String LABEL_RULE = " is not a DNS-1123 label (lowercase letters, digits and '-', starting and "
            + "ending with a letter or digit, at most 63 characters)";

    static Stream<Arguments> specErrors() {
        return Stream.of(
                Arguments.of("service port above range", greenSpec().replace("  addresses:", "  servicePort: 70000\n  addresses:"),
                        List.of(AT + "spec.remote.servicePort: 70000 is not a port (1-65535)")),
                Arguments.of("negative discovery port", greenSpec().replace("  addresses:", "  discoveryPort: -1\n  addresses:"),
                        List.of(AT + "spec.remote.discoveryPort: -1 is not a port (1-65535)")),
                Arguments.of("port as string", greenSpec().replace("  addresses:", "  servicePort: \"15443\"\n  addresses:"),
                        List.of(AT + "spec.remote.servicePort: expected an integer, got a string ('15443')")),
                Arguments.of("missing addresses", greenSpec().replace(
                                "  addresses:\n  - ingress-red-mesh.green-mesh-system.apps.domain.com\n", "  servicePort: 15443\n"),
                        List.of(AT + "spec.remote.addresses: is required")),
                Arguments.of("empty addresses", greenSpec().replace(
                                "  addresses:\n  - ingress-red-mesh.green-mesh-system.apps.domain.com\n", "  addresses: []\n"),
                        List.of(AT + "spec.remote.addresses: must not be empty (at least one address of the peer's "
                                + "ingress gateway)")),
                Arguments.of("addresses as string", greenSpec().replace(
                                "  addresses:\n  - ingress", "  addresses: ingress"),
                        List.of(AT + "spec.remote.addresses: expected a list, got a string "
                                + "('ingress-red-mesh.green-mesh-system.apps.domain.com')")),
                Arguments.of("bad addresses", greenSpec().replace("  - ingress-red-mesh",
                                "  - ingress_red.example.com\n  - 10.0.0.1:15443\n  - 300.1.2.3\n  - '[fd00::1]'\n  - ingress-red-mesh"),
                        List.of(AT + "spec.remote.addresses[0]: 'ingress_red.example.com' is not a DNS name or IP address",
                                AT + "spec.remote.addresses[1]: '10.0.0.1:15443' is not a DNS name or IP address "
                                        + "(a port does not belong here)",
                                AT + "spec.remote.addresses[2]: '300.1.2.3' is not a valid IPv4 address",
                                AT + "spec.remote.addresses[3]: '[fd00::1]' must be written without brackets")),
                Arguments.of("bad gateway names", greenSpec()
                                .replace("name: ingress-green-mesh", "name: Ingress_Green")
                                .replace("  egress:\n    name: egress-green-mesh\n", "  egress: {}\n"),
                        List.of(AT + "spec.gateways.ingress.name: 'Ingress_Green'" + LABEL_RULE,
                                AT + "spec.gateways.egress.name: is required")),
                Arguments.of("bad trust domain", greenSpec() + "security:\n  trustDomain: Green.Local\n",
                        List.of(AT + "spec.security.trustDomain: 'Green.Local' is not a trust domain: "
                                + "trust domain must be lowercase")),
                Arguments.of("bad client ID", greenSpec() + "security:\n  clientID: green-mesh.local/ns/../sa/x\n",
                        List.of(AT + "spec.security.clientID: 'green-mesh.local/ns/../sa/x' is not a SPIFFE ID: "
                                + "path has a '..' segment")),
                Arguments.of("client ID outside the trust domain", greenSpec() + "security:\n"
                                + "  clientID: spiffe://blue-mesh.local/ns/blue-mesh-system/sa/egress-red-mesh-service-account\n",
                        List.of(AT + "spec.security.clientID: 'spiffe://blue-mesh.local/ns/blue-mesh-system/sa/"
                                + "egress-red-mesh-service-account' is outside the peer's trust domain 'green-mesh.local'")),
                Arguments.of("certificate chain not a ConfigMap", greenSpec()
                                + "security:\n  certificateChain:\n    kind: Secret\n",
                        List.of(AT + "spec.security.certificateChain.kind: 'Secret' is not supported (only ConfigMap)")),
                Arguments.of("missing ConfigMap", greenSpec()
                                + "security:\n  certificateChain:\n    kind: ConfigMap\n    name: green-roots\n",
                        List.of(AT + "spec.security.certificateChain.name: ConfigMap red-mesh-system/green-roots not found")),
                Arguments.of("security as list", greenSpec() + "security:\n- trustDomain: green-mesh.local\n",
                        List.of(AT + "spec.security: expected a mapping, got a list")),
                Arguments.of("spec missing", "",
                        List.of(AT + "spec.remote.addresses: is required",
                                AT + "spec.gateways.ingress.name: is required",
                                AT + "spec.gateways.egress.name: is required")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("specErrors")
    void reportsSpecErrorWithPath(String description, String spec, List<String> expected) {
        assertThat(errors(files("peers/green.yaml", peer("green-mesh", spec), "roots/green.yaml", greenRoots())))
                .containsExactlyElementsOf(expected);
    }

    @Test
    void defaultConfigMapMissingSaysItIsTheDefault() {
        assertThat(errors(files("peers/green.yaml", peer("green-mesh", greenSpec()))))
                .containsExactly(AT + "spec.security.certificateChain.name: ConfigMap "
                        + "red-mesh-system/green-mesh-ca-root-cert (the default name) not found");
    }

    @Test
    void configMapWithoutRootKey() {
        String configMap = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: green-mesh-ca-root-cert\n"
                + "  namespace: red-mesh-system\ndata:\n  ca.crt: x\n";

        assertThat(errors(with(validGreen(), "roots/green.yaml", configMap)))
                .containsExactly(AT + "spec.security.certificateChain.name: ConfigMap "
                        + "red-mesh-system/green-mesh-ca-root-cert (the default name) has no key 'root-cert.pem'");
    }

    @Test
    void unparsablePemIsReportedAtTheConfigMap() {
        assertThat(errors(with(validGreen(), "roots/green.yaml", rootConfigMap("green-mesh-ca-root-cert", "hello"))))
                .containsExactly(ROOTS_AT + "data.root-cert.pem: no PEM CERTIFICATE block found");

        String corrupt = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
        assertThat(errors(with(validGreen(), "roots/green.yaml", rootConfigMap("green-mesh-ca-root-cert", corrupt))))
                .singleElement().asString()
                .startsWith(ROOTS_AT + "data.root-cert.pem: certificate does not parse: ");
    }

    @Test
    void rootMustBeACaCertificate() {
        String bundle = pem("green-root") + pem("not-a-ca");

        assertThat(errors(with(validGreen(), "roots/green.yaml", rootConfigMap("green-mesh-ca-root-cert", bundle))))
                .containsExactly(ROOTS_AT + "data.root-cert.pem: certificate 2 (CN=not-a-ca) is not a CA certificate "
                        + "(basicConstraints CA:TRUE is missing)");
    }

    @Test
    void severalRootsAreKeptForRotation() {
        String bundle = pem("green-root") + pem("green-root-next");

        FederationConfig config = ConfigFixtures.load(
                with(validGreen(), "roots/green.yaml", rootConfigMap("green-mesh-ca-root-cert", bundle)));

        assertThat(config.rootBundle("green-mesh")).extracting(c -> c.getSubjectX500Principal().getName())
                .containsExactly("CN=green-mesh-root", "CN=green-mesh-root-2");
    }

    @Test
    void expiredRootsWarnAndAllExpiredIsAnError() {
        ConfigOptions in2200 = ConfigOptions.builder(ConfigFixtures.NAMESPACE)
                .clock(java.time.Clock.fixed(java.time.Instant.parse("2200-01-01T00:00:00Z"), java.time.ZoneOffset.UTC))
                .build();

        assertThat(errors(validGreen(), in2200))
                .containsExactly(ROOTS_AT + "data.root-cert.pem: every certificate has expired, so no peer "
                        + "certificate can be verified");
    }

    @Test
    void clientIdIsRequiredWhenTheNamespaceDoesNotNameAMesh() {
        ConfigOptions federation = ConfigOptions.builder("federation").clock(ConfigFixtures.CLOCK).build();
        var files = files("peers/green.yaml", peer("green-mesh", greenSpec()).replace("red-mesh-system", "federation"),
                "roots/green.yaml", greenRoots().replace("red-mesh-system", "federation"));

        assertThat(errors(files, federation)).containsExactly("peers/green.yaml doc 1 ServiceMeshPeer "
                + "federation/green-mesh: spec.security.clientID: is required: namespace 'federation' does not end "
                + "in '-system', so the default (the peer's egress gateway for this mesh, "
                + "egress-<this mesh>-service-account) cannot be derived");
    }

    @Test
    void unknownFieldsAreWarnings() {
        var files = with(validGreen(), "peers/green.yaml",
                peer("green-mesh", greenSpec().replace("  addresses:", "  port: 15443\n  addresses:")
                        + "tls:\n  mode: MUTUAL\n"));

        assertThat(warnings(files)).containsExactly(
                AT + "spec.tls: unknown field, ignored",
                AT + "spec.remote.port: unknown field, ignored");
    }

    @Test
    void duplicatePeersAreReportedAtTheLaterOne() {
        var files = with(validGreen(), "peers/green-again.yaml", peer("green-mesh", greenSpec()));

        assertThat(errors(files)).containsExactly("peers/green-again.yaml doc 1 ServiceMeshPeer "
                + "red-mesh-system/green-mesh: metadata.name: duplicate ServiceMeshPeer red-mesh-system/green-mesh, "
                + "first defined in peers/green.yaml doc 1");
    }

    @Test
    void gatewayUsedAsIngressAndEgressIsReportedAtTheLaterPeer() {
        String blue = peer("blue-mesh", greenSpec().replace("ingress-green-mesh", "egress-green-mesh")
                .replace("name: egress-green-mesh\n", "name: egress-blue-mesh\n")
                .replaceFirst("name: egress-blue-mesh", "name: egress-green-mesh"));
        var files = with(with(validGreen(), "peers/green.yaml", peer("green-mesh", greenSpec()) + "---\n" + blue),
                "roots/blue.yaml", rootConfigMap("blue-mesh-ca-root-cert", pem("blue-root")));

        assertThat(errors(files)).containsExactly("peers/green.yaml doc 2 ServiceMeshPeer red-mesh-system/blue-mesh: "
                + "spec.gateways.ingress.name: 'egress-green-mesh' is also the egress gateway of ServiceMeshPeer "
                + "red-mesh-system/green-mesh (peers/green.yaml doc 1); a gateway is either ingress or egress");
    }

    @Test
    void oneGatewayMayServeSeveralPeers() {
        FederationConfig config = ConfigFixtures.load(with(with(validGreen(), "peers/blue.yaml",
                peer("blue-mesh", greenSpec())), "roots/blue.yaml",
                rootConfigMap("blue-mesh-ca-root-cert", pem("blue-root"))));

        assertThat(config.peersForIngress("ingress-green-mesh")).extracting(PeerConfig::name)
                .containsExactly("green-mesh", "blue-mesh");
        assertThat(config.rootBundle("blue-mesh")).extracting(c -> c.getSubjectX500Principal().getName())
                .containsExactly("CN=blue-mesh-root");
    }

    @Test
    void peersNeedTheirOwnTrustDomain() {
        String blue = peer("blue-mesh", greenSpec() + "security:\n  trustDomain: green-mesh.local\n"
                + "  clientID: green-mesh.local/ns/blue-mesh-system/sa/egress-red-mesh-service-account\n");
        var files = with(with(validGreen(), "peers/blue.yaml", blue), "roots/blue.yaml",
                rootConfigMap("blue-mesh-ca-root-cert", pem("blue-root")));

        assertThat(errors(files)).containsExactly("peers/blue.yaml doc 1 ServiceMeshPeer red-mesh-system/blue-mesh: "
                + "spec.security.trustDomain: 'green-mesh.local' is also the trust domain of ServiceMeshPeer "
                + "red-mesh-system/green-mesh (peers/green.yaml doc 1); each peer needs its own trust domain");
    }

    @Test
    void unnamedPeerIsReportedOnce() {
        var files = files("peers/green.yaml", peer("green-mesh", greenSpec()).replace("  name: green-mesh\n", ""),
                "roots/green.yaml", greenRoots());

        assertThat(errors(files)).containsExactly(
                "peers/green.yaml doc 1 ServiceMeshPeer red-mesh-system/<unnamed>: metadata.name: is required");
    }

    @Test
    void badPeerNameIsReportedOnceAndUnsupportedVersion() {
        var files = files("peers/green.yaml", peer("Green_Mesh", greenSpec()) + "---\n"
                + peer("green-mesh", greenSpec()).replace("federation.maistra.io/v1", "federation.maistra.io/v1alpha1"),
                "roots/green.yaml", greenRoots());

        assertThat(errors(files)).containsExactly(
                "peers/green.yaml doc 1 ServiceMeshPeer red-mesh-system/Green_Mesh: metadata.name: 'Green_Mesh' is not "
                        + "a DNS-1123 subdomain (dot-separated lowercase labels of letters, digits and '-', "
                        + "at most 253 characters)",
                "peers/green.yaml doc 2 ServiceMeshPeer red-mesh-system/green-mesh: apiVersion: "
                        + "'federation.maistra.io/v1alpha1' is not supported for ServiceMeshPeer "
                        + "(expected federation.maistra.io/v1)");
    }
}
