package io.fedgate.docker;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.images.builder.ImageFromDockerfile;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.utility.MountableFile;

import com.github.dockerjava.api.model.HealthCheck;

import io.netty.handler.ssl.SslContext;
import io.netty.util.ReferenceCountUtil;

import io.fedgate.core.cli.GatewayOptions;
import io.fedgate.core.cli.StatusCommand;
import io.fedgate.core.demo.ConfigDirectory;
import io.fedgate.core.demo.LinkTraffic;
import io.fedgate.core.demo.Mesh;
import io.fedgate.core.demo.PeerResources;
import io.fedgate.core.demo.ServiceSpec;
import io.fedgate.core.gateway.GatewayRole;
import io.fedgate.core.pki.IssuedCertificate;
import io.fedgate.core.probe.ConnectionReport;
import io.fedgate.core.probe.TrafficClient;
import io.fedgate.core.routing.SniName;
import io.fedgate.core.status.PeerStatusView;
import io.fedgate.core.tls.GatewayIdentity;
import io.fedgate.core.tls.SslContexts;
import io.fedgate.core.tls.TlsProvider;
import io.fedgate.core.trust.PeerAuthorizer;
import io.fedgate.core.trust.TrustBundles;

/**
 * Both images of {@code docker/Dockerfile}, built as {@code docker build} builds them, federate two meshes on one
 * Docker network: a workload of green (this test) calls red's {@code demo/echo} through green's
 * {@code egress-red-mesh} container and red's {@code ingress-green-mesh} container, and the bytes arrive and come
 * back intact (SHA-256 checked at the echo and at the client). Then SIGTERM, as Kubernetes sends it, drains a gateway
 * and ends its container with status 0.
 *
 * <p>Like a pod, each gateway gets Istio's three files in {@code /etc/certs} and its config directory in
 * {@code /etc/fedgate/config}, binds 0.0.0.0 on the standard ports, and reaches the other by name: green's
 * {@code ServiceMeshPeer} names red's ingress by its network alias, and red's {@code echo} Service, which has no
 * EndpointSlice, resolves through Docker's DNS as {@code echo.demo.svc.cluster.local}, the echo container's alias.
 * Only the client runs on the host, on the ports Docker maps.
 *
 * <p>Skipped where no Docker engine answers (Testcontainers' probe fails fast).
 */
@Testcontainers(disabledWithoutDocker = true)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class GatewayImagesFederateIT {
    private static final String CONFIG_DIR = "/etc/fedgate/config";
    private static final String RED_INGRESS_ALIAS = "ingress-green-mesh.red-mesh-system.test";
    private static final String ECHO_NAMESPACE = "demo";
    private static final String ECHO_NAME = "echo";
    private static final String ECHO_ALIAS = ECHO_NAME + "." + ECHO_NAMESPACE + ".svc.cluster.local";
    private static final int ECHO_PORT = 9080;
    private static final int SERVICE_PORT = GatewayOptions.DEFAULT_SERVICE_PORT;
    private static final int ADMIN_PORT = GatewayOptions.DEFAULT_ADMIN_PORT;
    private static final Duration STARTUP = Duration.ofMinutes(2);
    private static final Duration CONNECTED = Duration.ofSeconds(60);
    private static final Duration CONNECTION_TIMEOUT = Duration.ofSeconds(30);
    private static final long BULK = 8L << 20;

    private static Mesh red;
    private static Mesh green;
    private static Network network;
    private static GenericContainer<?> echo;
    private static GenericContainer<?> redIngress;
    private static GenericContainer<?> greenEgress;

    @BeforeAll
    @Timeout(value = 20, unit = TimeUnit.MINUTES) // the first build downloads Maven's dependencies
    static void startFederation(@TempDir Path work) throws IOException, URISyntaxException {
        red = Mesh.create("red-mesh");
        green = Mesh.create("green-mesh");
        ImageFromDockerfile ingressImage = image(GatewayRole.INGRESS);
        ImageFromDockerfile egressImage = image(GatewayRole.EGRESS);
        network = Network.newNetwork();

        // Red's echo service: the gateway image's JRE running one class of this test (see ContainerEcho).
        Path echoClass = Path.of(ContainerEcho.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .resolve(ContainerEcho.class.getName().replace('.', '/') + ".class");
        echo = new GenericContainer<>(egressImage)
                .withNetwork(network)
                .withNetworkAliases(ECHO_ALIAS)
                .withCopyFileToContainer(MountableFile.forHostPath(echoClass, 0644),
                        "/opt/echo/" + ContainerEcho.class.getName().replace('.', '/') + ".class")
                .withCreateContainerCmdModifier(cmd -> cmd.withEntrypoint("java")
                        .withHealthcheck(new HealthCheck().withTest(List.of("NONE"))))
                .withCommand("-cp", "/opt/echo", ContainerEcho.class.getName(), Integer.toString(ECHO_PORT))
                .waitingFor(Wait.forLogMessage(".*" + ContainerEcho.LISTENING + ".*\\n", 1)
                        .withStartupTimeout(STARTUP));
        echo.start();

        // Red serves green: exports demo/echo through ingress-green-mesh. Its own peer address is never dialled here.
        Map<String, String> redConfig = new PeerResources(red, green)
                .peerAddresses("ingress-red-mesh.green-mesh-system.test")
                .export(ECHO_NAMESPACE, ECHO_NAME)
                .files();
        redConfig.put("service-demo-echo.yaml", ServiceSpec.named(ECHO_NAMESPACE, ECHO_NAME)
                .port("tcp-echo", ECHO_PORT).yaml());
        redIngress = gateway(ingressImage, red, red.ingressName(green), red.ingressFor(green), redConfig,
                work.resolve("red"))
                .withNetworkAliases(RED_INGRESS_ALIAS)
                // The image's own HEALTHCHECK decides: it passes once /healthz/ready says LIVE.
                .waitingFor(Wait.forHealthcheck().withStartupTimeout(STARTUP));
        redIngress.start();

        // Green calls red: imports red's demo/echo through egress-red-mesh, which finds red's ingress by its alias.
        Map<String, String> greenConfig = new PeerResources(green, red)
                .peerAddresses(RED_INGRESS_ALIAS)
                .importFromPeer(ECHO_NAMESPACE, ECHO_NAME)
                .files();
        greenEgress = gateway(egressImage, green, green.egressName(red), green.egressFor(red), greenConfig,
                work.resolve("green"))
                .waitingFor(Wait.forHttp("/healthz/ready").forPort(ADMIN_PORT).forStatusCode(200)
                        .withStartupTimeout(STARTUP));
        greenEgress.start();
    }

    @AfterAll
    static void stopFederation() {
        Stream.of(greenEgress, redIngress, echo).filter(container -> container != null)
                .forEach(GenericContainer::stop);
        if (network != null) {
            network.close();
        }
    }

    @Test
    @Order(1)
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void trafficCrossesBothImagesIntactBothWays() throws InterruptedException {
        String egressAdmin = greenEgress.getHost() + ":" + greenEgress.getMappedPort(ADMIN_PORT);
        assertThat(awaitConnected(egressAdmin)).as("ServiceMeshPeer red-mesh in green-mesh-system connected "
                + "within %s; egress log:%n%s%nred ingress log:%n%s", CONNECTED, greenEgress.getLogs(),
                redIngress.getLogs()).isTrue();

        IssuedCertificate workload = green.ca().issueSvid(green.id("sleep"));
        SslContext context = SslContexts.forClient(
                GatewayIdentity.of(workload.chain(), workload.privateKey(), List.of(workload.root())),
                TrustBundles.builder().add(green.trustDomain(), green.ca().root()).build(),
                PeerAuthorizer.exactly(green.egressId(red)), TlsProvider.preferred());
        InetSocketAddress egress = new InetSocketAddress(greenEgress.getHost(),
                greenEgress.getMappedPort(SERVICE_PORT));
        String sni = SniName.outbound(ECHO_PORT, ECHO_NAME + "." + ECHO_NAMESPACE + ".svc." + red.name()
                + "-imports.local");
        try (TrafficClient client = TrafficClient.create()) {
            // Routes follow the first discovery answer; give them a moment after the watch connected.
            Optional<String> firstProblem = Optional.of("not tried");
            long deadline = System.nanoTime() + CONNECTED.toNanos();
            while (firstProblem.isPresent() && System.nanoTime() < deadline) {
                firstProblem = LinkTraffic.echoProblem(client.to(egress).tls(context, sni).send(1024, 1)
                        .timeout(CONNECTION_TIMEOUT).run());
                if (firstProblem.isPresent()) {
                    Thread.sleep(500);
                }
            }
            assertThat(firstProblem).as("a first 1 KiB echo through %s; egress log:%n%s%nred ingress log:%n%s", sni,
                    greenEgress.getLogs(), redIngress.getLogs()).isEmpty();

            ConnectionReport bulk = client.to(egress).tls(context, sni).send(BULK, 42).timeout(CONNECTION_TIMEOUT)
                    .run();
            // Back at the client: what returned is what was sent (the way back).
            assertThat(LinkTraffic.echoProblem(bulk)).as("%d bytes echoed through both gateways: %s", BULK, bulk)
                    .isEmpty();
            // At the echo, behind red's ingress: what arrived is what was sent (the way there).
            String arrived = ContainerEcho.REPORT + " bytes=" + BULK + " sha256=" + bulk.sha256Sent();
            assertThat(awaitLog(echo, arrived)).as("the echo's report '%s'; its log:%n%s", arrived, echo.getLogs())
                    .isTrue();
        } finally {
            ReferenceCountUtil.release(context);
        }
    }

    @Test
    @Order(2)
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void sigtermDrainsAndEndsTheContainerWithStatusZero() {
        // docker stop: SIGTERM to PID 1, which the launcher made the JVM itself; SIGKILL (137) only after 60 s.
        String id = redIngress.getContainerId();
        redIngress.getDockerClient().stopContainerCmd(id).withTimeout(60).exec();
        Long status = redIngress.getDockerClient().inspectContainerCmd(id).exec().getState().getExitCodeLong();
        assertThat(status).as("exit status of red's ingress after SIGTERM; its log:%n%s", redIngress.getLogs())
                .isEqualTo(0L);
    }

    /**
     * An image built from {@code docker/Dockerfile} with the repository root as the context, as
     * {@code docker build -f docker/Dockerfile --target <role> .} builds it. docker-java would send the Dockerfile's
     * own directory unless the base directory is set before the Dockerfile; set so, it sends the root minus what
     * {@code .dockerignore} excludes.
     */
    private static ImageFromDockerfile image(GatewayRole role) {
        Path root = RepositoryRoot.find();
        Path dockerfile = root.resolve("docker/Dockerfile");
        return new ImageFromDockerfile("localhost/fedgate/gateway-" + role.label() + "-it", true)
                .withTarget(role.label())
                .withBuildImageCmdModifier(cmd -> cmd.withBaseDirectory(root.toFile())
                        .withDockerfile(dockerfile.toFile()));
    }

    /** A gateway container of {@code mesh} as a pod would run it: files in place, standard ports, default paths. */
    private static GenericContainer<?> gateway(ImageFromDockerfile image, Mesh mesh, String name,
                                               IssuedCertificate svid, Map<String, String> config, Path work) {
        Path configDir = ConfigDirectory.write(work.resolve("config"), config);
        Path certs = svid.writeIstioFiles(work.resolve("certs"));
        GenericContainer<?> container = new GenericContainer<>(image)
                .withNetwork(network)
                .withExposedPorts(SERVICE_PORT, ADMIN_PORT)
                .withCommand("--config-dir", CONFIG_DIR, "--namespace", mesh.namespace(), "--name", name);
        for (String file : config.keySet()) {
            container.withCopyFileToContainer(MountableFile.forHostPath(configDir.resolve(file), 0644),
                    CONFIG_DIR + "/" + file);
        }
        for (String file : List.of(GatewayIdentity.CERT_CHAIN_FILE, GatewayIdentity.KEY_FILE,
                GatewayIdentity.ROOT_CERT_FILE)) {
            // Readable by the image's user, as a Secret volume with fsGroup makes it.
            container.withCopyFileToContainer(MountableFile.forHostPath(certs.resolve(file), 0644),
                    GatewayIdentity.DEFAULT_DIRECTORY_PATH + "/" + file);
        }
        return container;
    }

    private static boolean awaitConnected(String admin) throws InterruptedException {
        long deadline = System.nanoTime() + CONNECTED.toNanos();
        while (System.nanoTime() < deadline) {
            List<String> problems = new ArrayList<>();
            if (StatusCommand.query(red.name(), List.of(admin), problems::add).map(PeerStatusView::connected)
                    .orElse(false)) {
                return true;
            }
            Thread.sleep(250);
        }
        return false;
    }

    private static boolean awaitLog(GenericContainer<?> container, String line) throws InterruptedException {
        long deadline = System.nanoTime() + CONNECTION_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (container.getLogs().lines().anyMatch(line::equals)) {
                return true;
            }
            Thread.sleep(100);
        }
        return false;
    }
}
