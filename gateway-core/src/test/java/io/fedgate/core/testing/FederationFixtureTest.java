package io.fedgate.core.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.fedgate.core.cli.GatewayCommand;
import io.fedgate.core.config.ConfigLoader;
import io.fedgate.core.config.ConfigOptions;
import io.fedgate.core.config.ExportedService;
import io.fedgate.core.config.FederationConfig;
import io.fedgate.core.config.HostPort;
import io.fedgate.core.config.PeerConfig;
import io.fedgate.core.config.Service;
import io.fedgate.core.gateway.GatewayContext;
import io.fedgate.core.gateway.GatewayRole;
import io.fedgate.core.testing.FederationFixture.GatewayFiles;
import io.fedgate.core.testing.FederationFixture.MeshConfig;
import io.fedgate.core.demo.ServiceSpec;

/** {@link FederationFixture}: what it writes loads, and prepares gateways exactly as their command line would. */
class FederationFixtureTest {
    private static final InetSocketAddress RATINGS = new InetSocketAddress(InetAddress.getLoopbackAddress(), 41001);
    private static final InetSocketAddress REVIEWS = new InetSocketAddress(InetAddress.getLoopbackAddress(), 41002);

    @TempDir
    Path root;

    private static FederationConfig load(MeshConfig config, String namespace) {
        return new ConfigLoader(ConfigOptions.builder(namespace).build()).load(config.directory());
    }

    private static GatewayCommand.Prepared prepare(GatewayRole role, List<String> args) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        GatewayCommand.Prepared prepared = GatewayCommand.prepare(role, "test", args.toArray(String[]::new),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(prepared.ready()).as("%s", err.toString(StandardCharsets.UTF_8)).isTrue();
        return prepared;
    }

    @Test
    void redsConfigLoadsWithThePeerItsRootsTheExportsAndTheEndpoints() {
        FederationFixture federation = FederationFixture.create(root);
        MeshConfig red = federation.redConfig()
                .peerIngress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 40123))
                .peerDiscoveryPort(40124)
                .service(ServiceSpec.named("bookinfo", "ratings").port("http", 9080).endpoint(RATINGS).tlsPassthrough())
                .export("bookinfo", "ratings");
        assertThat(red.write()).isEqualTo(root.resolve("config/red-mesh"));

        FederationConfig config = load(red, "red-mesh-system");

        PeerConfig green = config.peer("green-mesh").orElseThrow();
        assertThat(green.remote().addresses()).containsExactly("127.0.0.1");
        assertThat(green.remote().servicePort()).isEqualTo(40123);
        assertThat(green.remote().discoveryPort()).isEqualTo(40124);
        assertThat(config.rootBundle("green-mesh")).containsExactly(federation.pki().green().ca().root());
        assertThat(config.exportedServices("green-mesh")).extracting(ExportedService::hostname)
                .containsExactly("ratings.bookinfo.svc.green-mesh-exports.local");
        Service ratings = config.service("bookinfo", "ratings").orElseThrow();
        assertThat(ratings.annotations()).containsEntry(ServiceSpec.TLS_MODE_ANNOTATION, "passthrough");
        assertThat(config.endpoints(ratings, 9080)).containsExactly(new HostPort("127.0.0.1", RATINGS.getPort()));
        assertThat(config.warnings()).isEmpty();
    }

    @Test
    void theGatewaysArgumentsPrepareRedsIngressAndEgress() {
        FederationFixture federation = FederationFixture.create(root);
        MeshConfig red = federation.redConfig()
                .service(ServiceSpec.named("bookinfo", "ratings").port("http", 9080).endpoint(RATINGS))
                .export("bookinfo", "ratings")
                .importFromPeer("bookinfo", "*");
        red.write();
        GatewayFiles ingress = federation.ingress(federation.pki().red(), federation.pki().green());
        GatewayFiles egress = federation.egress(federation.pki().red(), federation.pki().green());

        assertThat(ingress.args(red)).containsSubsequence("--name", "ingress-green-mesh")
                .containsSubsequence("--namespace", "red-mesh-system")
                .containsSubsequence("--bind", "127.0.0.1", "--service-port", "0", "--discovery-port", "0",
                        "--admin-port", "0");
        GatewayContext context = prepare(GatewayRole.INGRESS, ingress.args(red)).context();
        assertThat(context.identity().spiffeId()).isEqualTo(ingress.spiffeId());
        assertThat(context.peerNames()).containsExactly("green-mesh");
        assertThat(context.trustBundles().trustDomains()).containsExactly("green-mesh.local", "red-mesh.local");
        assertThat(context.options().servicePort()).isZero();

        GatewayContext egressContext = prepare(GatewayRole.EGRESS, egress.args(red)).context();
        assertThat(egressContext.identity().spiffeId()).isEqualTo(federation.pki().red().egressId(federation.pki().green()));
        assertThat(egressContext.config().importedServiceSet("green-mesh")).isPresent();
    }

    @Test
    void greensSideIsTheMirrorImage() {
        FederationFixture federation = FederationFixture.create(root);
        MeshConfig green = federation.greenConfig()
                .service(ServiceSpec.named("bookinfo", "reviews").port("http", 9080).endpoint(REVIEWS))
                .export("bookinfo", "reviews");
        green.write();

        GatewayContext context = prepare(GatewayRole.INGRESS,
                federation.ingress(federation.pki().green(), federation.pki().red()).args(green)).context();
        assertThat(context.name()).isEqualTo("ingress-red-mesh");
        assertThat(context.config().peer("red-mesh").orElseThrow().security().clientId())
                .isEqualTo(federation.pki().red().egressId(federation.pki().green()));
        assertThat(green.directory()).isEqualTo(root.resolve("config/green-mesh"));
    }

    @Test
    void rewritingReplacesFilesAndDeletesWhatIsGone() throws Exception {
        FederationFixture federation = FederationFixture.create(root);
        MeshConfig red = federation.redConfig()
                .service(ServiceSpec.named("bookinfo", "ratings").port("http", 9080).endpoint(RATINGS))
                .export("bookinfo", "ratings");
        red.write();
        assertThat(red.directory().resolve("service-bookinfo-ratings.yaml")).exists();

        red.removeService("bookinfo", "ratings").unexport("bookinfo", "ratings")
                .service(ServiceSpec.named("bookinfo", "reviews").port("http", 9080).endpoint(REVIEWS))
                .export("bookinfo", "reviews")
                .write();

        try (Stream<Path> files = Files.list(red.directory())) {
            assertThat(files.map(path -> path.getFileName().toString())).containsExactlyInAnyOrder(
                    "servicemeshpeer-green-mesh.yaml", "configmap-green-mesh-ca-root-cert.yaml",
                    "exportedserviceset-green-mesh.yaml", "service-bookinfo-reviews.yaml");
        }
        FederationConfig config = load(red, "red-mesh-system");
        assertThat(config.service("bookinfo", "ratings")).isEmpty();
        assertThat(config.exportedServices("green-mesh")).extracting(ExportedService::hostname)
                .containsExactly("reviews.bookinfo.svc.green-mesh-exports.local");
    }

    @Test
    void multiPortServicesGetANumberPerPortAndNotReadyEndpointsAreLeftOut() {
        FederationFixture federation = FederationFixture.create(root);
        MeshConfig red = federation.redConfig()
                .service(ServiceSpec.named("bookinfo", "reviews")
                        .port("http", 9080, "http-web").port("grpc", 9090, 19090)
                        .endpoint("127.0.0.1", Map.of("http", 41010, "grpc", 41011))
                        .notReadyEndpoint(new InetSocketAddress(InetAddress.getLoopbackAddress(), 41012))
                        .label("app", "reviews"));
        assertThatThrownBy(red::write).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("has 2 ports; give the endpoint 127.0.0.1 a number per port name");

        red.service(ServiceSpec.named("bookinfo", "reviews")
                .port("http", 9080, "http-web").port("grpc", 9090, 19090)
                .endpoint("127.0.0.1", Map.of("http", 41010, "grpc", 41011))
                .label("app", "reviews"))
                .write();
        FederationConfig config = load(red, "red-mesh-system");
        Service reviews = config.service("bookinfo", "reviews").orElseThrow();
        assertThat(config.endpoints(reviews, 9080)).containsExactly(new HostPort("127.0.0.1", 41010));
        assertThat(config.endpoints(reviews, 9090)).containsExactly(new HostPort("127.0.0.1", 41011));
        assertThat(reviews.labels()).containsEntry("app", "reviews");
    }

    @Test
    void extraFilesAndMissingRootsAreForNegativeTests() {
        FederationFixture federation = FederationFixture.create(root);
        MeshConfig red = federation.redConfig().withoutPeerRoots().file("broken.yaml", "kind: [\n");
        red.write();

        assertThat(red.files()).containsOnlyKeys("servicemeshpeer-green-mesh.yaml", "broken.yaml");
        assertThatThrownBy(() -> load(red, "red-mesh-system")).hasMessageContaining("broken.yaml");
        assertThatThrownBy(() -> red.file("../x.yaml", "")).isInstanceOf(IllegalArgumentException.class);
    }
}
