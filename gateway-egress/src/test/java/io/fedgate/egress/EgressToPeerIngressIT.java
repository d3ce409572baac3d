package io.fedgate.egress;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.MatchResult;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

import io.netty.handler.ssl.SslContext;

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
 * Red's egress and green's ingress as two processes: the egress discovers green's export over the watch, routes a
 * red workload's TLS connection (SNI = the import host) over mTLS to green's ingress and on to green's backend, and
 * every byte arrives both ways; {@code fedgate status} shows the link active with the seed's shape.
 */
class EgressToPeerIngressIT {
    private static final long SIZE = 64L << 20;
    private static final String IMPORT_HOST = "ratings.bookinfo.svc.green-mesh-imports.local";
    private static final Duration STARTUP = Duration.ofSeconds(30);

    @TempDir
    static Path dir;

    private static FederationFixture federation;
    private static FederationPki pki;
    private static DigestingBackend ratings;
    private static GatewayProcess greenIngress;
    private static GatewayProcess redEgress;
    private static TrafficClient client;
    private static InetSocketAddress egressService;
    private static InetSocketAddress egressAdmin;
    private static InetSocketAddress egressDiscovery;
    private static InetSocketAddress ingressAdmin;

    @BeforeAll
    static void start() {
        federation = FederationFixture.create(dir);
        pki = federation.pki();
        ratings = DigestingBackend.sinkAndSource(SIZE, 2);
        FederationFixture.MeshConfig green = federation.greenConfig()
                .service(ServiceSpec.named("bookinfo", "ratings").port("http", 9080).endpoint(ratings.address()))
                .export("bookinfo", "ratings");
        green.write();
        greenIngress = GatewayProcess.jar(GatewayProcess.ingressJar()).name("ingress-red-mesh").logDirectory(dir)
                .args(federation.ingress(pki.green(), pki.red()).args(green)).start();
        InetSocketAddress ingressService = greenIngress.awaitListening("service", STARTUP);
        InetSocketAddress ingressDiscovery = greenIngress.awaitListening("discovery", STARTUP);
        ingressAdmin = greenIngress.awaitListening("admin", STARTUP);

        FederationFixture.MeshConfig red = federation.redConfig()
                .peerIngress(ingressService).peerDiscoveryPort(ingressDiscovery.getPort())
                .importFromPeer("bookinfo", "ratings");
        red.write();
        List<String> egressArgs = new ArrayList<>(federation.egress(pki.red(), pki.green()).args(red));
        egressArgs.addAll(List.of("--plaintext-port-base", String.valueOf(freePort())));
        redEgress = GatewayProcess.jar(GatewayProcess.egressJar()).name("egress-green-mesh").logDirectory(dir)
                .args(egressArgs).start();
        egressService = redEgress.awaitListening("service", STARTUP);
        egressDiscovery = redEgress.awaitListening("discovery", STARTUP);
        egressAdmin = redEgress.awaitListening("admin", STARTUP);
        redEgress.awaitLog(Pattern.compile("services updated: peer=green-mesh services=1 "), STARTUP);
        client = TrafficClient.create();
    }

    @AfterAll
    static void stop() throws IOException {
        if (client != null) {
            client.close();
        }
        Path logs = Files.createDirectories(Path.of("target", "it-logs"));
        for (GatewayProcess process : new GatewayProcess[] {redEgress, greenIngress}) {
            if (process != null) {
                process.close();
                Files.copy(process.logFile(), logs.resolve("EgressToPeerIngressIT-" + process.name() + ".log"),
                        StandardCopyOption.REPLACE_EXISTING);
            }
        }
        if (ratings != null) {
            ratings.close();
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs {@code connection} and returns what the client and the backend each saw of it, digests included. */
    private static ConnectionReport[] exchange(java.util.function.Supplier<ConnectionReport> connection) {
        int before = ratings.connections().size();
        ConnectionReport sent = connection.get();
        ConnectionReport arrived = ratings.awaitConnections(before + 1, Duration.ofSeconds(30)).get(before);
        return new ConnectionReport[] {sent, arrived};
    }

    private static void assertIntactBothWays(ConnectionReport sent, ConnectionReport arrived) {
        assertThat(sent.cause()).as("%s", sent).isEmpty();
        assertThat(arrived.bytesReceived()).isEqualTo(SIZE);
        assertThat(arrived.sha256Received()).as("SHA-256 red -> green").isEqualTo(sent.sha256Sent());
        assertThat(sent.bytesReceived()).isEqualTo(SIZE);
        assertThat(sent.sha256Received()).as("SHA-256 green -> red").isEqualTo(arrived.sha256Sent());
    }

    /** A red workload: a red SVID, trusting red's root, expecting red's egress. */
    private static SslContext redWorkload() {
        IssuedCertificate svid = pki.red().ca().issueSvid(pki.red().id("productpage"));
        GatewayIdentity identity = GatewayIdentity.of(svid.chain(), svid.privateKey(), List.of(pki.red().ca().root()));
        return SslContexts.forClient(identity, TrustBundles.builder().add(pki.red().trustDomain(), pki.red().ca().root())
                .build(), PeerAuthorizer.exactly(pki.red().egressId(pki.green())), TlsProvider.preferred());
    }

    @Test
    void sixtyFourMebibytesEachWayCrossTheFederation() {
        ConnectionReport[] exchange = exchange(() -> client.to(egressService)
                .tls(redWorkload(), SniName.outbound(9080, IMPORT_HOST)).send(SIZE, 1)
                .timeout(Duration.ofSeconds(120)).run());

        assertIntactBothWays(exchange[0], exchange[1]);
    }

    @Test
    void metricsAndTheAccessLogFollowTheTraffic() throws Exception {
        long size = 1L << 20;
        ConnectionReport[] exchange = exchange(() -> client.to(egressService)
                .tls(redWorkload(), SniName.outbound(9080, IMPORT_HOST)).send(size, 9).run());
        assertThat(exchange[0].sha256Sent()).isEqualTo(exchange[1].sha256Received());

        HttpClient http = HttpClient.newHttpClient();
        String page = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + egressAdmin.getPort()
                + "/stats/prometheus")).build(), HttpResponse.BodyHandlers.ofString()).body();
        assertThat(page).contains("fedgate_egress_discovery_watch_connected{peer=\"green-mesh\"} 1.0")
                .containsPattern("fedgate_egress_discovery_resyncs_total\\{cause=\"connected\",peer=\"green-mesh\"\\} [1-9]")
                .containsPattern("fedgate_egress_downstream_tls_handshake_seconds_count\\{listener=\"service\"\\} [1-9]")
                .contains("istio_tcp_received_bytes_total{destination_service=\"" + IMPORT_HOST
                        + "\",direction=\"outbound\",peer=\"green-mesh\"}");
        // The access log (stdout, so in the process's log): this connection's line, with the workload's identity.
        String line = redEgress.awaitLog(Pattern.compile("^\\{.*\"bytes_received\":" + size + ",.*$", Pattern.MULTILINE),
                STARTUP).group();
        assertThat(line).contains("\"listener\":\"service\"", "\"result\":\"relayed\"", "\"peer\":\"green-mesh\"",
                "\"downstream_peer_uri_san\":\"" + pki.red().id("productpage") + "\"",
                "\"upstream_cluster\":\"outbound|9080||" + IMPORT_HOST + "\"");
    }

    @Test
    void sixtyFourMebibytesEachWayThroughThePlaintextListener() {
        MatchResult listening = redEgress.awaitLog(Pattern.compile("listening: plaintext 127\\.0\\.0\\.1:(\\d+) -> "
                + Pattern.quote(IMPORT_HOST) + ":9080"), STARTUP);
        InetSocketAddress plaintext = new InetSocketAddress(InetAddress.getLoopbackAddress(),
                Integer.parseInt(listening.group(1)));

        ConnectionReport[] exchange = exchange(() -> client.to(plaintext).send(SIZE, 5)
                .timeout(Duration.ofSeconds(120)).run());

        assertIntactBothWays(exchange[0], exchange[1]);
    }

    @Test
    void localDiscoveryClientIsForwardedToThePeerOverMutualTls() throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        URI services = URI.create("http://127.0.0.1:" + egressDiscovery.getPort() + "/v1/services/");

        HttpResponse<String> forwarded = http.send(HttpRequest.newBuilder(services)
                .header("discovery-service", "discovery.red-mesh-system.svc.green-mesh.local")
                .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> unknown = http.send(HttpRequest.newBuilder(services)
                .header("discovery-service", "discovery.red-mesh-system.svc.blue-mesh.local")
                .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());

        // Green names this mesh red-mesh, so it exports ratings to red as ...svc.red-mesh-exports.local.
        assertThat(forwarded.statusCode()).as(forwarded.body()).isEqualTo(200);
        assertThat(forwarded.body()).contains("\"hostname\":\"ratings.bookinfo.svc.red-mesh-exports.local\"",
                "\"serviceAccounts\":[\"" + pki.green().ingressId(pki.red()) + "\"]");
        assertThat(unknown.statusCode()).isEqualTo(404);
    }

    @Test
    @SuppressWarnings("unchecked")
    void statusShowsTheLinkActiveInTheSeedsShape() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        // Red's view of green: red's egress watches green; green's ingress sees red watching it (its peer red-mesh).
        int exit = StatusCommand.run(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), "--peer", "green-mesh",
                "--admin", "127.0.0.1:" + egressAdmin.getPort());
        String yaml = out.toString(StandardCharsets.UTF_8);

        assertThat(exit).as("%s%s", yaml, err).isEqualTo(StatusCommand.CONNECTED);
        Map<String, Object> document = (Map<String, Object>) new Load(LoadSettings.builder().build()).loadFromString(yaml);
        Map<String, Object> status = (Map<String, Object>) ((Map<String, Object>) document.get("status"))
                .get("discoveryStatus");
        Map<String, Object> entry = ((List<Map<String, Object>>) status.get("active")).get(0);
        assertThat(entry).containsKeys("pod", "watch");
        assertThat((Map<String, Object>) entry.get("watch")).containsEntry("connected", true)
                .containsKeys("lastConnected", "lastFullSync");
    }
}
