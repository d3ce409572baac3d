package io.fedgate.egress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.MatchResult;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

import io.netty.handler.ssl.SslContext;
import io.netty.util.ReferenceCountUtil;

import io.fedgate.core.cli.StatusCommand;
import io.fedgate.core.pki.IssuedCertificate;
import io.fedgate.core.routing.SniName;
import io.fedgate.core.probe.ConnectionReport;
import io.fedgate.core.probe.DigestingBackend;
import io.fedgate.core.testing.FederationFixture;
import io.fedgate.core.testing.FederationPki;
import io.fedgate.core.demo.GatewayProcess;
import io.fedgate.core.demo.ServiceSpec;
import io.fedgate.core.probe.TrafficClient;
import io.fedgate.core.tls.GatewayIdentity;
import io.fedgate.core.tls.SslContexts;
import io.fedgate.core.tls.TlsProvider;
import io.fedgate.core.trust.PeerAuthorizer;
import io.fedgate.core.trust.TrustBundles;

/**
 * The egress follows its peer: one green ingress and one red egress (with {@code --plaintext-port-base}), as
 * processes, for the whole class. In order:
 * <ol>
 * <li>a service green exports after start-up (config rewritten, SIGHUP to green's ingress) becomes routable through
 * red's egress within seconds, and is refused ({@code unknown-sni}) once green stops exporting it;</li>
 * <li>the plaintext listener of an imported service relays 8 MiB each way, digest-verified;</li>
 * <li>killing green's ingress turns {@code fedgate status} inactive with a {@code lastDisconnectStatus} and a
 * {@code # cause:} line; restarting it on the same ports turns it active again without restarting the egress;</li>
 * <li>with the peer's addresses {@code [127.0.0.2 (dead), 127.0.0.1]} (red's config rewritten, SIGHUP to the egress)
 * every new connection succeeds: the egress skips the dead address.</li>
 * </ol>
 * Each step leaves the federation as the next expects; a failure of an early step may fail later ones.
 *
 * <p>Every connection also checks the peer -> workload direction, all of it, last: it once lost its tail when the
 * relay closed the workload's TLS connection right after the peer closed (a close-future race in {@code Relay}).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EgressFollowsThePeerIT {
    private static final long SIZE = 8L << 20;
    private static final String RATINGS_HOST = "ratings.bookinfo.svc.green-mesh-imports.local";
    private static final String REVIEWS_HOST = "reviews.bookinfo.svc.green-mesh-imports.local";
    private static final String DEAD_ADDRESS = "127.0.0.2";
    private static final Duration STARTUP = Duration.ofSeconds(30);
    private static final Duration UPDATE = Duration.ofSeconds(10);
    /** The discovery client's backoff caps at 30 s; one full step plus a margin. */
    private static final Duration RECONNECT = Duration.ofSeconds(45);

    @TempDir
    static Path dir;

    private static FederationFixture federation;
    private static FederationPki pki;
    private static FederationFixture.MeshConfig green;
    private static FederationFixture.MeshConfig red;
    private static DigestingBackend ratings;
    private static DigestingBackend reviews;
    private static final List<GatewayProcess> processes = new ArrayList<>();
    private static GatewayProcess greenIngress;
    private static GatewayProcess redEgress;
    private static TrafficClient client;
    private static SslContext redWorkload;
    private static InetSocketAddress ingressService;
    private static InetSocketAddress ingressDiscovery;
    private static InetSocketAddress egressService;
    private static InetSocketAddress egressAdmin;
    private static int plaintextBase;

    @BeforeAll
    static void start() throws IOException {
        federation = FederationFixture.create(dir);
        pki = federation.pki();
        ratings = DigestingBackend.sinkAndSource(SIZE, 2);
        reviews = DigestingBackend.sinkAndSource(SIZE, 3);
        // reviews is configured from the start but exported only by the first test.
        green = federation.greenConfig()
                .service(ServiceSpec.named("bookinfo", "ratings").port("http", 9080).endpoint(ratings.address()))
                .service(ServiceSpec.named("bookinfo", "reviews").port("http", 9080).endpoint(reviews.address()))
                .export("bookinfo", "ratings");
        green.write();
        greenIngress = startIngress("ingress-red-mesh", federation.ingress(pki.green(), pki.red()).args(green));
        ingressService = greenIngress.awaitListening("service", STARTUP);
        ingressDiscovery = greenIngress.awaitListening("discovery", STARTUP);

        // Red imports everything green exports from bookinfo: what is routable follows green's exports alone.
        red = federation.redConfig()
                .peerIngress(ingressService).peerDiscoveryPort(ingressDiscovery.getPort())
                .importFromPeer("bookinfo", "*");
        red.write();
        plaintextBase = freePort();
        List<String> egressArgs = federation.egress(pki.red(), pki.green()).args(red);
        egressArgs.addAll(List.of("--plaintext-port-base", Integer.toString(plaintextBase)));
        redEgress = GatewayProcess.jar(GatewayProcess.egressJar()).name("egress-green-mesh").logDirectory(dir)
                .environment("FEDGATE_LOG_LEVEL", "debug").args(egressArgs).start();
        processes.add(redEgress);
        egressService = redEgress.awaitListening("service", STARTUP);
        egressAdmin = redEgress.awaitListening("admin", STARTUP);
        redEgress.awaitLog(Pattern.compile("services updated: peer=green-mesh services=1 "), STARTUP);
        client = TrafficClient.create();
        redWorkload = redWorkload();
    }

    @AfterAll
    static void stop() throws IOException {
        if (client != null) {
            client.close();
        }
        Path logs = Files.createDirectories(Path.of("target", "it-logs"));
        for (GatewayProcess process : processes) {
            process.close();
            Files.copy(process.logFile(), logs.resolve("EgressFollowsThePeerIT-" + process.name() + ".log"),
                    StandardCopyOption.REPLACE_EXISTING);
        }
        for (DigestingBackend backend : new DigestingBackend[] {ratings, reviews}) {
            if (backend != null) {
                backend.close();
            }
        }
        if (redWorkload != null) {
            ReferenceCountUtil.release(redWorkload);
        }
    }

    private static GatewayProcess startIngress(String name, List<String> args) {
        GatewayProcess process = GatewayProcess.jar(GatewayProcess.ingressJar()).name(name).logDirectory(dir)
                .environment("FEDGATE_LOG_LEVEL", "debug").args(args).start();
        processes.add(process);
        return process;
    }

    /** A port nothing listens on now: bound to port 0 and closed again. */
    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(false);
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return socket.getLocalPort();
        }
    }

    /** A red workload: a red SVID, trusting red's root, expecting red's egress. */
    private static SslContext redWorkload() {
        IssuedCertificate svid = pki.red().ca().issueSvid(pki.red().id("productpage"));
        GatewayIdentity identity = GatewayIdentity.of(svid.chain(), svid.privateKey(), List.of(pki.red().ca().root()));
        return SslContexts.forClient(identity, TrustBundles.builder().add(pki.red().trustDomain(), pki.red().ca().root())
                .build(), PeerAuthorizer.exactly(pki.red().egressId(pki.green())), TlsProvider.preferred());
    }

    /** Rewrites green's config, sends SIGHUP to green's ingress and waits for its {@code reloaded:} line. */
    private static void reloadGreen() {
        green.write();
        int mark = greenIngress.logLength();
        greenIngress.sendSignal("HUP");
        greenIngress.awaitLog(Pattern.compile("reloaded: "), mark, UPDATE);
    }

    /** The {@code count} connections to {@code backend} that closed after the first {@code before}. */
    private static List<ConnectionReport> next(DigestingBackend backend, int before, int count) {
        List<ConnectionReport> all = backend.awaitConnections(before + count, Duration.ofSeconds(30));
        return all.subList(before, before + count);
    }

    /** The workload's bytes reached the backend, all of them, digest-verified: the connection was routed. */
    private static void assertRouted(ConnectionReport sent, ConnectionReport arrived, long sentBytes) {
        assertThat(sent.cause()).as("%s", sent).isEmpty();
        assertThat(arrived.bytesReceived()).as("bytes red -> green").isEqualTo(sentBytes);
        assertThat(arrived.sha256Received()).as("SHA-256 red -> green").isEqualTo(sent.sha256Sent());
    }

    /**
     * The backend's bytes reached the workload, all of them, digest-verified; a short stream is reported with the
     * egress's own count of what it relayed (its debug line), to tell where bytes went missing.
     */
    private static void assertReturned(List<ConnectionReport> sent, List<ConnectionReport> arrived) {
        List<String> cut = new ArrayList<>();
        for (int i = 0; i < sent.size(); i++) {
            ConnectionReport client = sent.get(i);
            ConnectionReport backend = arrived.get(i);
            if (client.bytesReceived() != backend.bytesSent() || !client.sha256Received().equals(backend.sha256Sent())) {
                cut.add("client " + client.localAddress() + " received " + client.bytesReceived() + " of "
                        + backend.bytesSent() + " (" + (client.closeNotifyReceived() ? "close_notify" : "no close_notify")
                        + ", " + client.ending() + "); egress relay: " + relayLine(client));
            }
        }
        assertThat(cut).as("green -> red streams cut short (%d of %d) through the egress's TLS service listener",
                cut.size(), sent.size()).isEmpty();
    }

    /** The egress's debug line for the relay of {@code client}'s connection, {@code closed downstream=...}. */
    private static String relayLine(ConnectionReport client) {
        String downstream = client.localAddress().getAddress().getHostAddress() + ":" + client.localAddress().getPort();
        try {
            MatchResult line = redEgress.awaitLog(Pattern.compile("closed downstream=" + Pattern.quote(downstream)
                    + " .*"), 0, Duration.ofSeconds(2));
            Matcher counts = Pattern.compile("received=\\d+ sent=\\d+").matcher(line.group());
            return counts.find() ? counts.group() : line.group();
        } catch (AssertionError e) {
            return "(no closed line for downstream " + downstream + ")";
        }
    }

    @Test
    @Order(1)
    void aServiceExportedAfterStartUpBecomesRoutableAndStopsBeingRoutableWhenUnexported() {
        int mark = redEgress.logLength();
        long started = System.nanoTime();
        green.export("bookinfo", "reviews");
        reloadGreen();
        redEgress.awaitLog(Pattern.compile("services updated: peer=green-mesh services=2 "), mark, UPDATE);
        long routableAfterMillis = (System.nanoTime() - started) / 1_000_000;
        System.out.println("EgressFollowsThePeerIT: reviews routable " + routableAfterMillis + " ms after the export");

        int before = reviews.connections().size();
        ConnectionReport sent = client.to(egressService).tls(redWorkload, SniName.outbound(9080, REVIEWS_HOST))
                .send(SIZE, 11).timeout(Duration.ofSeconds(60)).run();
        ConnectionReport arrived = next(reviews, before, 1).get(0);
        assertRouted(sent, arrived, SIZE);

        mark = redEgress.logLength();
        green.unexport("bookinfo", "reviews");
        reloadGreen();
        redEgress.awaitLog(Pattern.compile("services updated: peer=green-mesh services=1 "), mark, UPDATE);

        int acceptedBefore = reviews.accepted();
        int refusedMark = redEgress.logLength();
        ConnectionReport refused = client.to(egressService).tls(redWorkload, SniName.outbound(9080, REVIEWS_HOST))
                .send(64 << 10, 12).timeout(Duration.ofSeconds(15)).run();
        assertThat(refused.bytesReceived()).as("bytes the refused client got: %s", refused).isZero();
        assertThat(refused.cause()).as("the refused connection fails: %s", refused).isPresent();
        redEgress.awaitLog(Pattern.compile("refused listener=service .*sni=" + Pattern.quote(SniName.outbound(9080,
                REVIEWS_HOST)) + " .*reason=unknown-sni"), refusedMark, UPDATE);
        assertThat(reviews.accepted() - acceptedBefore).as("connections reviews accepted after the unexport").isZero();

        assertReturned(List.of(sent), List.of(arrived));
    }

    @Test
    @Order(2)
    void thePlaintextListenerRelaysEightMebibytesEachWay() {
        MatchResult listening = redEgress.awaitLog(Pattern.compile("listening: plaintext 127\\.0\\.0\\.1:(\\d+) -> "
                + Pattern.quote(RATINGS_HOST) + ":9080"), 0, UPDATE);
        int port = Integer.parseInt(listening.group(1));
        assertThat(port).as("ratings is the first imported service port: the base").isEqualTo(plaintextBase);

        int before = ratings.connections().size();
        ConnectionReport sent = client.to(new InetSocketAddress(InetAddress.getLoopbackAddress(), port))
                .send(SIZE, 21).timeout(Duration.ofSeconds(60)).run();
        ConnectionReport arrived = next(ratings, before, 1).get(0);
        assertRouted(sent, arrived, SIZE);
        assertReturned(List.of(sent), List.of(arrived));
    }

    @Test
    @Order(3)
    @SuppressWarnings("unchecked")
    void statusGoesInactiveWhenThePeerIngressDiesAndActiveWhenItComesBackOnTheSamePorts() {
        int servicePort = ingressService.getPort();
        int discoveryPort = ingressDiscovery.getPort();
        greenIngress.stop();

        Status down = pollStatus(status -> status.exit() == StatusCommand.NOT_CONNECTED
                && status.yaml().contains("lastDisconnectStatus"), Duration.ofSeconds(15));
        System.out.println("EgressFollowsThePeerIT: status with green's ingress stopped: " + down);
        assertThat(down.exit()).as("%s", down).isEqualTo(StatusCommand.NOT_CONNECTED);
        Map<String, Object> discovery = down.discoveryStatus();
        List<Map<String, Object>> inactive = (List<Map<String, Object>>) discovery.get("inactive");
        assertThat(inactive).as("%s", down).hasSize(1);
        assertThat(discovery.get("active")).as("%s", down).satisfiesAnyOf(
                active -> assertThat(active).isNull(), active -> assertThat((List<?>) active).isEmpty());
        Map<String, Object> watch = (Map<String, Object>) inactive.get(0).get("watch");
        assertThat(watch).as("%s", down).containsEntry("connected", false).containsKey("lastDisconnectStatus");
        assertThat(down.yaml()).as("%s", down).containsPattern("(?m)^# cause: .+");

        // The same ports: the egress's config still points there. The egress is not restarted.
        List<String> args = federation.ingress(pki.green(), pki.red()).baseArgs(green.directory());
        args.addAll(List.of("--bind", "127.0.0.1", "--service-port", Integer.toString(servicePort),
                "--discovery-port", Integer.toString(discoveryPort), "--admin-port", "0"));
        long restarted = System.nanoTime();
        greenIngress = startIngress("ingress-red-mesh-restarted", args);
        assertThat(greenIngress.awaitListening("service", STARTUP).getPort()).isEqualTo(servicePort);
        assertThat(greenIngress.awaitListening("discovery", STARTUP).getPort()).isEqualTo(discoveryPort);

        Status up = pollStatus(status -> status.exit() == StatusCommand.CONNECTED, RECONNECT);
        System.out.println("EgressFollowsThePeerIT: active again " + (System.nanoTime() - restarted) / 1_000_000
                + " ms after restarting the ingress");
        assertThat(up.exit()).as("%s", up).isEqualTo(StatusCommand.CONNECTED);
        Map<String, Object> entry = ((List<Map<String, Object>>) up.discoveryStatus().get("active")).get(0);
        assertThat((Map<String, Object>) entry.get("watch")).as("%s", up).containsEntry("connected", true);
    }

    @Test
    @Order(4)
    void everyNewConnectionSucceedsWhenOneOfThePeersAddressesIsDead() throws IOException {
        try (ServerSocket probe = new ServerSocket()) {
            probe.bind(new InetSocketAddress(DEAD_ADDRESS, 0));
        } catch (IOException e) {
            Assumptions.abort(DEAD_ADDRESS + " is not usable on this loopback: " + e);
        }
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(DEAD_ADDRESS, ingressService.getPort()), 2000);
            fail("something listens on " + DEAD_ADDRESS + ":" + ingressService.getPort());
        } catch (ConnectException expected) {
            // refused: the address is dead on that port
        }

        red.peerAddresses(DEAD_ADDRESS, "127.0.0.1").write(); // keeps servicePort and discoveryPort
        int mark = redEgress.logLength();
        redEgress.sendSignal("HUP");
        redEgress.awaitLog(Pattern.compile("reloaded: peers=\\[green-mesh\\]"), mark, UPDATE);

        int connections = 10;
        long sentBytes = 64 << 10;
        int before = ratings.connections().size();
        List<ConnectionReport> sent = new ArrayList<>();
        for (int i = 0; i < connections; i++) {
            sent.add(client.to(egressService).tls(redWorkload, SniName.outbound(9080, RATINGS_HOST))
                    .send(sentBytes, 100 + i).timeout(Duration.ofSeconds(30)).run());
        }
        List<ConnectionReport> failed = sent.stream().filter(report -> report.cause().isPresent()
                || report.handshake().isEmpty() || !report.handshake().get().isSuccess()
                || report.bytesReceived() == 0).toList();
        assertThat(failed).as("connections that failed of %d; egress log tail:%n%s", connections,
                redEgress.logTail(20)).isEmpty();
        List<ConnectionReport> arrived = next(ratings, before, connections);
        List<ConnectionReport> matched = new ArrayList<>();
        for (ConnectionReport report : sent) {
            ConnectionReport backend = arrived.stream()
                    .filter(candidate -> candidate.sha256Received().equals(report.sha256Sent())).findFirst()
                    .orElseThrow(() -> new AssertionError("no backend connection received the digest of " + report
                            + "; backend saw " + arrived));
            assertRouted(report, backend, sentBytes);
            matched.add(backend);
        }
        // Evidence the dead address was tried and skipped, not merely never used.
        Matcher skipped = Pattern.compile("upstream connect failed: .*endpoint=.*" + Pattern.quote(DEAD_ADDRESS))
                .matcher(redEgress.log().substring(mark));
        int skips = 0;
        while (skipped.find()) {
            skips++;
        }
        System.out.println("EgressFollowsThePeerIT: the dead address was tried and skipped " + skips + " times");
        assertThat(skips).as("connect failures on %s logged by the egress", DEAD_ADDRESS).isPositive();

        assertReturned(sent, matched);
    }

    private record Status(int exit, String yaml, String err) {
        @SuppressWarnings("unchecked")
        Map<String, Object> discoveryStatus() {
            Map<String, Object> document = (Map<String, Object>) new Load(LoadSettings.builder().build())
                    .loadFromString(yaml);
            return (Map<String, Object>) ((Map<String, Object>) document.get("status")).get("discoveryStatus");
        }

        @Override
        public String toString() {
            return "exit " + exit + "\n" + yaml + err;
        }
    }

    private static Status status() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = StatusCommand.run(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), "--peer", "green-mesh",
                "--admin", "127.0.0.1:" + egressAdmin.getPort());
        return new Status(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** Polls {@code fedgate status} every 250 ms until {@code done} or {@code timeout}; returns the last answer. */
    private static Status pollStatus(Predicate<Status> done, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Status status = status();
            if (done.test(status) || System.nanoTime() - deadline > 0) {
                return status;
            }
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }
    }
}
