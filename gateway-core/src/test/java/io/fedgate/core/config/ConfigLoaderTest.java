package io.fedgate.core.config;

import static io.fedgate.core.config.ConfigFixtures.NAMESPACE;
import static io.fedgate.core.config.ConfigFixtures.OPTIONS;
import static io.fedgate.core.config.ConfigFixtures.resourceDir;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.EnumSet;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.fedgate.core.config.PeerConfig.Setting;

class ConfigLoaderTest {
    private final ConfigLoader loader = new ConfigLoader(OPTIONS);

    @Test
    void seedExampleLoadsUnchangedWithDocumentedDefaults() {
        FederationConfig config = loader.load(resourceDir("config/seed"));

        assertThat(config.sourceFiles()).containsExactly("green-mesh-ca-root-cert.yaml", "servicemeshpeer.yaml");
        assertThat(config.warnings()).isEmpty();
        PeerConfig green = config.peer("green-mesh").orElseThrow();
        assertThat(green.namespace()).isEqualTo(NAMESPACE);
        assertThat(green.remote().addresses())
                .containsExactly("ingress-red-mesh.green-mesh-system.apps.domain.com");
        assertThat(green.remote().discoveryPort()).isEqualTo(8188);
        assertThat(green.remote().servicePort()).isEqualTo(15443);
        assertThat(green.gateways().ingress()).isEqualTo("ingress-green-mesh");
        assertThat(green.gateways().egress()).isEqualTo("egress-green-mesh");
        assertThat(green.security().trustDomain()).isEqualTo("green-mesh.local");
        assertThat(green.security().clientId().principal())
                .isEqualTo("green-mesh.local/ns/green-mesh-system/sa/egress-red-mesh-service-account");
        assertThat(green.security().rootConfigMap()).isEqualTo("green-mesh-ca-root-cert");
        assertThat(green.defaulted()).containsExactlyInAnyOrder(Setting.DISCOVERY_PORT, Setting.SERVICE_PORT);

        List<X509Certificate> roots = config.rootBundle("green-mesh");
        assertThat(roots).hasSize(1);
        assertThat(roots.get(0).getSubjectX500Principal().getName()).isEqualTo("CN=green-mesh-root");
        assertThat(config.rootBundleForTrustDomain("green-mesh.local")).contains(roots);
        assertThat(config.peersForIngress("ingress-green-mesh")).containsExactly(green);
        assertThat(config.peersForEgress("egress-green-mesh")).containsExactly(green);
        assertThat(config.peersForIngress("egress-green-mesh")).isEmpty();
    }

    @Test
    void requiredFieldsOnlyGetEveryDefault() {
        PeerConfig green = loader.load(resourceDir("config/minimal")).peer("green-mesh").orElseThrow();

        assertThat(green.defaulted()).isEqualTo(EnumSet.allOf(Setting.class));
        assertThat(green.remote().discoveryPort()).isEqualTo(PeerConfig.DEFAULT_DISCOVERY_PORT);
        assertThat(green.remote().servicePort()).isEqualTo(PeerConfig.DEFAULT_SERVICE_PORT);
        assertThat(green.security().trustDomain()).isEqualTo("green-mesh.local");
        // The derived default is exactly what the reference's example writes out.
        assertThat(green.security().clientId().toString())
                .isEqualTo("spiffe://green-mesh.local/ns/green-mesh-system/sa/egress-red-mesh-service-account");
        assertThat(green.security().rootConfigMap()).isEqualTo("green-mesh-ca-root-cert");
    }

    @Test
    void exampleDirectoryValidatesClean() {
        FederationConfig config = new ConfigLoader(ConfigOptions.of(NAMESPACE))
                .load(Path.of("..", "docs", "examples", "red-mesh"));

        assertThat(config.warnings()).isEmpty();
        PeerConfig green = config.peer("green-mesh").orElseThrow();
        assertThat(green.remote().addresses()).containsExactly("127.0.2.1");
        assertThat(config.exportedServices("green-mesh")).isNotEmpty();
        assertThat(config.importedServiceSet("green-mesh")).isPresent();
        Service exported = config.services().stream()
                .filter(service -> config.exportedServiceSet("green-mesh").orElseThrow().export(service).isPresent())
                .findFirst().orElseThrow();
        int port = exported.ports().get(0).port();
        assertThat(config.endpoints(exported, port)).isNotEmpty()
                .allSatisfy(endpoint -> assertThat(endpoint.host()).isEqualTo("127.0.0.1"));
    }

    @Test
    void readsSubdirectoriesInSortedOrderAndSkipsHiddenEntries(@TempDir Path dir) throws IOException {
        write(dir.resolve("b.yaml"), ConfigFixtures.peer("green-mesh", ConfigFixtures.greenSpec()));
        write(dir.resolve("a/roots.yml"), ConfigFixtures.greenRoots());
        write(dir.resolve("a/notes.txt"), "not yaml: [");
        // A mounted ConfigMap holds its files twice: in ..data (hidden) and as links beside it.
        write(dir.resolve("..data/b.yaml"), ConfigFixtures.peer("green-mesh", ConfigFixtures.greenSpec()));
        write(dir.resolve(".git/config.yaml"), "not yaml: [");

        FederationConfig config = loader.load(dir);

        assertThat(config.sourceFiles()).containsExactly("a/roots.yml", "b.yaml");
        assertThat(config.peers()).hasSize(1);
    }

    @Test
    void emptyDirectoryHasNothingToServe(@TempDir Path dir) {
        assertThatThrownBy(() -> loader.load(dir))
                .isInstanceOf(ConfigException.class)
                .hasMessage(dir + ": no *.yaml or *.yml file found; a gateway with nothing to serve must not start");

        FederationConfig config = new ConfigLoader(ConfigOptions.builder(NAMESPACE).requirePeers(false).build())
                .load(dir);
        assertThat(config.peers()).isEmpty();
        assertThatThrownBy(config::checkServable).isInstanceOf(ConfigException.class);
    }

    @Test
    void namespaceWithoutPeerHasNothingToServe() {
        var files = ConfigFixtures.files("roots.yaml", ConfigFixtures.greenRoots());

        assertThat(ConfigFixtures.errors(files)).containsExactly("no ServiceMeshPeer in namespace red-mesh-system "
                + "(read from <memory>); a gateway with nothing to serve must not start");

        FederationConfig config = ConfigFixtures.load(files,
                ConfigOptions.builder(NAMESPACE).requirePeers(false).clock(ConfigFixtures.CLOCK).build());
        assertThatThrownBy(config::checkServable)
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("no ServiceMeshPeer in namespace red-mesh-system");
    }

    @Test
    void peersOfOtherNamespacesAreSkippedSilently() {
        String bluePeer = ConfigFixtures.peer("blue-mesh", ConfigFixtures.greenSpec())
                .replace("namespace: red-mesh-system", "namespace: green-mesh-system");
        FederationConfig config = ConfigFixtures.load(
                ConfigFixtures.with(ConfigFixtures.validGreen(), "other.yaml", bluePeer));

        assertThat(config.peers()).extracting(PeerConfig::name).containsExactly("green-mesh");
        assertThat(config.warnings()).isEmpty();
    }

    @Test
    void missingDirectoryIsReported(@TempDir Path dir) {
        Path missing = dir.resolve("nope");

        assertThatThrownBy(() -> loader.load(missing))
                .isInstanceOf(ConfigException.class)
                .hasMessage("config dir " + missing + " does not exist");
    }

    @Test
    void unreadableAndNonUtf8FilesAreFileLevelErrors(@TempDir Path dir) throws IOException {
        write(dir.resolve("peer.yaml"), ConfigFixtures.peer("green-mesh", ConfigFixtures.greenSpec()));
        write(dir.resolve("roots.yaml"), ConfigFixtures.greenRoots());
        Files.createSymbolicLink(dir.resolve("dangling.yaml"), dir.resolve("nowhere"));
        Files.write(dir.resolve("latin1.yaml"), "name: caf\u00e9\n".getBytes(StandardCharsets.ISO_8859_1));

        assertThatThrownBy(() -> loader.load(dir))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems())
                        .extracting(ConfigProblem::toString)
                        .containsExactly("dangling.yaml: cannot read: no such file",
                                "latin1.yaml: cannot read: not valid UTF-8"));
    }

    private static void write(Path file, String content) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
    }
}
