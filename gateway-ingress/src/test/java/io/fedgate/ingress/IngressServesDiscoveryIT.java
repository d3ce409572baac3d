package io.fedgate.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.MatchResult;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.ssl.SslContext;

import io.fedgate.core.cli.StatusCommand;
import io.fedgate.core.discovery.DiscoveryChecksum;
import io.fedgate.core.discovery.DiscoveryJson;
import io.fedgate.core.discovery.ServiceListMessage;
import io.fedgate.core.discovery.ServiceMessage;
import io.fedgate.core.discovery.ServicePortMessage;
import io.fedgate.core.discovery.WatchEvent;
import io.fedgate.core.spiffe.SpiffeId;
import io.fedgate.core.testing.FederationFixture;
import io.fedgate.core.testing.FederationPki;
import io.fedgate.core.demo.GatewayProcess;
import io.fedgate.core.demo.ServiceSpec;
import io.fedgate.core.tls.GatewayIdentity;
import io.fedgate.core.tls.SslContexts;
import io.fedgate.core.tls.TlsProvider;
import io.fedgate.core.trust.PeerAuthorizer;

/**
 * The ingress, as its own process, serves the discovery API (federation-protocol.md section 4) on its discovery
 * listener to the peer's egress, over mutual TLS: red's {@code ingress-green-mesh} exports {@code bookinfo/ratings}
 * (and, for a while, {@code bookinfo/reviews}) to green, whose egress certificate the test client presents.
 *
 * <p>One ingress serves the whole class; the watch test changes the config and restores it. The
 * {@code --discovery-upstream} test starts a second ingress of its own, pointed at a stub server.
 *
 * <p>Not here: "unknown peer answers 400". The listener only ever rewrites {@code /v1/services/} and
 * {@code /v1/watch} to name the peer the client's certificate was admitted for, and an ingress serves every peer it
 * admits (both come from the same peers-served-by-this-gateway list, and a reload leaving none is refused), so no
 * request through the listener can name an unknown peer. The built-in server's 400 is covered where it can happen:
 * {@code DiscoveryHttpHandlerTest.answersErrorsByStatus} ({@code /v1/services/blue-mesh} and
 * {@code /v1/watch/blue-mesh}) and {@code DiscoveryServerTest.servesEachPeerItsList} in gateway-core.
 */
class IngressServesDiscoveryIT {
    private static final String RATINGS_HOST = "ratings.bookinfo.svc.green-mesh-exports.local";
    private static final String REVIEWS_HOST = "reviews.bookinfo.svc.green-mesh-exports.local";
    private static final Duration STARTUP = Duration.ofSeconds(30);
    private static final Duration EVENT = Duration.ofSeconds(15);
    /** How long "nothing more arrives" is watched for. */
    private static final Duration QUIET = Duration.ofMillis(300);
    private static final Pattern RELOAD = Pattern.compile("(reloaded: .*|reload refused.*)$", Pattern.MULTILINE);
    private static final Pattern CHECKSUM = Pattern.compile("\"checksum\"\\s*:\\s*(-?[0-9]+)");

    @TempDir
    static Path dir;

    private static FederationFixture federation;
    private static FederationFixture.MeshConfig red;
    private static GatewayProcess ingress;
    private static InetSocketAddress discovery;
    private static InetSocketAddress admin;
    private static DiscoveryTestClient greenEgress;

    @BeforeAll
    static void startIngress() {
        federation = FederationFixture.create(dir);
        red = federation.redConfig()
                .service(ServiceSpec.named("bookinfo", "ratings").port("http", 9080)
                        .endpoint("127.0.0.1", Map.of("http", 19080)))
                .service(ServiceSpec.named("bookinfo", "reviews").port("http", 9080).port("grpc-api", 9090)
                        .endpoint("127.0.0.1", Map.of("http", 19080, "grpc-api", 19090)))
                .export("bookinfo", "ratings");
        red.write();
        FederationPki pki = federation.pki();
        ingress = GatewayProcess.jar(GatewayProcess.ingressJar()).name("ingress-green-mesh").logDirectory(dir)
                .args(federation.ingress(pki.red(), pki.green()).args(red)).start();
        discovery = ingress.awaitListening("discovery", STARTUP);
        admin = ingress.awaitListening("admin", STARTUP);
        greenEgress = DiscoveryTestClient.tls(discovery, greenEgressContext());
    }

    @AfterEach
    void printLogTail(TestInfo test) {
        if (ingress != null) {
            // Kept in the failsafe report.
            System.out.println("--- after " + test.getDisplayName() + ", last " + GatewayProcess.TAIL_LINES
                    + " lines of " + ingress.logFile() + ":\n" + ingress.logTail(GatewayProcess.TAIL_LINES));
        }
    }

    @AfterAll
    static void stopIngress() {
        if (greenEgress != null) {
            greenEgress.close();
        }
        if (ingress != null) {
            ingress.close();
        }
    }

    private static SslContext greenEgressContext() {
        FederationPki pki = federation.pki();
        return clientContext(pki.green().egressIdentity(pki.red()));
    }

    private static SslContext clientContext(GatewayIdentity identity) {
        FederationPki pki = federation.pki();
        return SslContexts.forClient(identity, pki.bundles(), PeerAuthorizer.exactly(pki.red().ingressId(pki.green())),
                TlsProvider.preferred());
    }

    /** What the ingress publishes to green for its ratings Service. */
    private static ServiceMessage ratings() {
        return new ServiceMessage("ratings", "bookinfo", RATINGS_HOST,
                List.of(new ServicePortMessage("http", 9080, "HTTP")), List.of(redIngressId().toString()));
    }

    /** What the ingress publishes to green for its reviews Service. */
    private static ServiceMessage reviews() {
        return new ServiceMessage("reviews", "bookinfo", REVIEWS_HOST,
                List.of(new ServicePortMessage("http", 9080, "HTTP"), new ServicePortMessage("grpc-api", 9090, "GRPC")),
                List.of(redIngressId().toString()));
    }

    /** The ingress's own SPIFFE ID: what green's egress must see on the service port. */
    private static SpiffeId redIngressId() {
        return federation.pki().red().ingressId(federation.pki().green());
    }

    /** The checksum as it is written in {@code json}: the digits after {@code "checksum":}. */
    private static String wireChecksum(String json) {
        Matcher matcher = CHECKSUM.matcher(json);
        assertThat(matcher.find()).as("a checksum in %s", json).isTrue();
        return matcher.group(1);
    }

    /** Sends SIGHUP and waits for the ingress to log that it reloaded (not that it refused the new config). */
    private static void reload() {
        int mark = ingress.logLength();
        ingress.sendSignal("HUP");
        MatchResult outcome = ingress.awaitLog(RELOAD, mark, EVENT);
        assertThat(outcome.group(1)).as("reload after SIGHUP").startsWith("reloaded: peers=[green-mesh]");
    }

    @Test
    void servicesListsTheExportedServicesWithTheirChecksum() {
        DiscoveryTestClient.Response response = greenEgress.get("/v1/services/");

        assertThat(response.status()).as("%s", response).isEqualTo(200);
        assertThat(response.header(HttpHeaderNames.CONTENT_TYPE)).isEqualTo("application/json");
        ServiceListMessage list = DiscoveryJson.readServiceList(response.body());
        assertThat(list.services()).containsExactly(ratings());
        assertThat(list.services().get(0).hostname()).isEqualTo("ratings.bookinfo.svc.green-mesh-exports.local");
        assertThat(list.services().get(0).serviceAccounts())
                .containsExactly("spiffe://red-mesh.local/ns/red-mesh-system/sa/ingress-green-mesh-service-account");
        long expected = DiscoveryChecksum.serviceList(List.of(ratings()));
        assertThat(list.checksum()).as("checksum (unsigned: %s)", Long.toUnsignedString(list.checksum()))
                .isEqualTo(expected)
                .isEqualTo(DiscoveryChecksum.serviceList(list.services()));
        assertThat(list.checksumMatches()).isTrue();
        // On the wire an unsigned decimal, whatever its top bit.
        String wire = wireChecksum(response.body());
        assertThat(wire).isEqualTo(Long.toUnsignedString(expected));
        assertThat(Long.parseUnsignedLong(wire)).isEqualTo(list.checksum());
    }

    @Test
    void watchPushesAnAddThenADeleteAcrossReloads() {
        ServiceListMessage initial = ServiceListMessage.of(List.of(ratings()));
        ServiceListMessage withReviews = ServiceListMessage.of(List.of(ratings(), reviews()));
        WatchEvent deleted;
        boolean reviewsExported = false;
        try (DiscoveryTestClient.Watch watch = greenEgress.watch("/v1/watch")) {
            assertThat(watch.status()).isEqualTo(200);
            assertThat(watch.headers().get(HttpHeaderNames.CONTENT_TYPE)).isEqualTo("application/json");
            assertThat(HttpUtil.isTransferEncodingChunked(watch.head())).as("chunked: %s", watch.headers()).isTrue();
            assertThat(watch.pollLine(QUIET)).as("an event (or heartbeat) without a change").isNull();

            red.export("bookinfo", "reviews").write();
            reviewsExported = true;
            reload();
            String addLine = watch.nextLine(EVENT);
            WatchEvent added = DiscoveryJson.readWatchEvent(addLine);

            assertThat(added.action()).as(addLine).isEqualTo(WatchEvent.Action.ADD);
            assertThat(added.service()).isEqualTo(reviews());
            assertThat(added.checksum()).as("checksum of the list after the add").isEqualTo(withReviews.checksum())
                    .isEqualTo(initial.apply(added).checksum());
            assertThat(wireChecksum(addLine)).isEqualTo(Long.toUnsignedString(withReviews.checksum()));
            assertThat(watch.pollLine(QUIET)).as("another event after the add").isNull();
            DiscoveryTestClient.Response meanwhile = greenEgress.get("/v1/services/");
            assertThat(DiscoveryJson.readServiceList(meanwhile.body())).as("%s", meanwhile).isEqualTo(withReviews);
            // This checksum is above 2^63 (18031421179288753338): written and read unsigned.
            assertThat(wireChecksum(meanwhile.body())).isEqualTo(Long.toUnsignedString(withReviews.checksum()));

            red.unexport("bookinfo", "reviews").write();
            reviewsExported = false;
            reload();
            String deleteLine = watch.nextLine(EVENT);
            deleted = DiscoveryJson.readWatchEvent(deleteLine);

            assertThat(deleted.action()).as(deleteLine).isEqualTo(WatchEvent.Action.DELETE);
            assertThat(deleted.service().hostname()).isEqualTo(REVIEWS_HOST);
            assertThat(deleted.checksum()).as("checksum of the list after the delete").isEqualTo(initial.checksum())
                    .isEqualTo(withReviews.apply(deleted).checksum());
            assertThat(wireChecksum(deleteLine)).isEqualTo(Long.toUnsignedString(initial.checksum()));
            assertThat(watch.pollLine(QUIET)).as("another event after the delete").isNull();
            assertThat(watch.awaitClosed(Duration.ZERO)).as("watch closed by the ingress").isFalse();
        } finally {
            if (reviewsExported) {
                red.unexport("bookinfo", "reviews").write(); // Leave the config as the other tests expect it.
                reload();
            }
        }

        DiscoveryTestClient.Response after = greenEgress.get("/v1/services/");
        assertThat(after.status()).isEqualTo(200);
        ServiceListMessage finalList = DiscoveryJson.readServiceList(after.body());
        assertThat(finalList.checksum()).as("full sync after the watch's last event").isEqualTo(deleted.checksum());
        assertThat(finalList).isEqualTo(initial);
    }

    @Test
    void wrongPrincipalGets403OnEveryPathAndIsDisconnected() throws InterruptedException {
        FederationPki pki = federation.pki();
        // A valid SVID of green's, chaining to green's root, but green's ingress, not its egress (the clientID).
        SpiffeId presented = pki.green().ingressId(pki.red());
        SpiffeId clientId = pki.green().egressId(pki.red());
        int mark = ingress.logLength();

        try (DiscoveryTestClient impostor = DiscoveryTestClient.tls(discovery,
                clientContext(pki.green().ingressIdentity(pki.red())))) {
            for (String path : List.of("/v1/services/", "/v1/watch", "/v1/services/green-mesh", "/")) {
                try (DiscoveryTestClient.Connection connection = impostor.connect()) {
                    DiscoveryTestClient.Response response = connection.get(path);
                    assertThat(response.status()).as("GET %s: %s", path, response).isEqualTo(403);
                    assertThat(response.body()).isEqualTo("RBAC: access denied\n");
                    assertThat(response.header("connection")).isEqualTo("close");
                    long deadline = System.nanoTime() + EVENT.toNanos();
                    while (connection.isOpen() && System.nanoTime() < deadline) {
                        Thread.sleep(10);
                    }
                    assertThat(connection.isOpen()).as("the connection after a 403").isFalse();
                }
            }
        }

        // Logged once for the connection, naming what was presented and what was expected.
        ingress.awaitLog(refusalLine(presented, clientId), mark, EVENT);
    }

    /**
     * The discovery listener's 403 refusal is logged as {@code refused listener=discovery ... reason=...}, like the
     * other refusal lines (a TLS refusal on the same listener reads {@code refused listener=discovery downstream=...}),
     * so that one filter on {@code listener=discovery} finds every refusal of the listener.
     */
    @Test
    void wrongPrincipalRefusalNamesTheDiscoveryListener() {
        FederationPki pki = federation.pki();
        SpiffeId presented = pki.green().ingressId(pki.red());
        SpiffeId clientId = pki.green().egressId(pki.red());
        int mark = ingress.logLength();

        try (DiscoveryTestClient impostor = DiscoveryTestClient.tls(discovery,
                clientContext(pki.green().ingressIdentity(pki.red())))) {
            assertThat(impostor.get("/v1/services/").status()).isEqualTo(403);
        }

        String line = ingress.awaitLog(refusalLine(presented, clientId), mark, EVENT).group();
        assertThat(line).as("the 403 refusal's log line").contains("refused listener=discovery ");
    }

    @Test
    void statusShowsTheWatchingPeerAndTheLastRefusal() {
        FederationPki pki = federation.pki();
        try (DiscoveryTestClient impostor = DiscoveryTestClient.tls(discovery,
                clientContext(pki.green().ingressIdentity(pki.red())))) {
            assertThat(impostor.get("/v1/services/").status()).isEqualTo(403);
        }
        try (DiscoveryTestClient.Watch watch = greenEgress.watch("/v1/watch")) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int exit = StatusCommand.run(new PrintStream(out, true, StandardCharsets.UTF_8),
                    new PrintStream(err, true, StandardCharsets.UTF_8), "--peer", "green-mesh",
                    "--admin", "127.0.0.1:" + admin.getPort());
            String yaml = out.toString(StandardCharsets.UTF_8);

            // The ingress alone knows no outbound watch: the entry is inactive, and it names the peer's remote.
            assertThat(exit).as("%s%s", yaml, err).isEqualTo(StatusCommand.NOT_CONNECTED);
            assertThat(yaml).startsWith("status:\n  discoveryStatus:\n    inactive:\n    - pod: ")
                    .contains("      remotes:\n      - connected: true\n", "        source: \"127.0.0.1\"\n");
            String json;
            try (DiscoveryTestClient adminClient = DiscoveryTestClient.plain(admin)) {
                json = adminClient.get("/federation/status").body();
            }
            assertThat(json).contains("\"role\":\"ingress\"", "\"name\":\"green-mesh\"",
                    "\"lastRefusal\":{\"listener\":\"discovery\",\"reason\":\"spiffe-id-mismatch\"");
        }
    }

    /** Any line refusing {@code presented} for not being {@code expected}, with HTTP 403. */
    private static Pattern refusalLine(SpiffeId presented, SpiffeId expected) {
        return Pattern.compile("^.*refused .*reason=spiffe-id-mismatch: presented " + Pattern.quote(presented.toString())
                + ", expected " + Pattern.quote(expected.toString()) + " \\(HTTP 403\\)$", Pattern.MULTILINE);
    }

    @Test
    void otherPathsAreNotFound() {
        try (DiscoveryTestClient.Connection connection = greenEgress.connect()) {
            for (String path : List.of("/", "/v1/services/green-mesh", "/v1/watch/green-mesh", "/v1/services",
                    "/v1/watch/", "/v1/services//", "/v1/services/red-mesh", "/healthz")) {
                DiscoveryTestClient.Response response = connection.get(path);
                assertThat(response.status()).as("GET %s: %s", path, response).isEqualTo(404);
            }
            assertThat(connection.get("/v1/services/").status()).as("the same connection after the 404s")
                    .isEqualTo(200);
        }
    }

    @Test
    void discoveryUpstreamGetsTheRewrittenPaths() {
        FederationPki pki = federation.pki();
        ServiceMessage stubService = new ServiceMessage("stub", "upstream", "stub.upstream.svc.green-mesh-exports.local",
                List.of(new ServicePortMessage("tcp", 7000, "TCP")), List.of(redIngressId().toString()));
        ServiceListMessage upstreamList = ServiceListMessage.of(List.of(stubService));
        WatchEvent upstreamEvent = WatchEvent.add(stubService, upstreamList.checksum());
        try (DiscoveryUpstreamStub stub = DiscoveryUpstreamStub.start(upstreamList, upstreamEvent)) {
            String upstream = "127.0.0.1:" + stub.address().getPort();
            List<String> args = federation.ingress(pki.red(), pki.green()).baseArgs(red.directory());
            args.addAll(List.of("--bind", "127.0.0.1", "--service-port", "0", "--discovery-port", "0",
                    "--admin-port", "0", "--discovery-upstream", upstream));
            try (GatewayProcess proxying = GatewayProcess.jar(GatewayProcess.ingressJar())
                    .name("ingress-green-mesh-upstream").logDirectory(dir).args(args).start()) {
                try {
                    InetSocketAddress address = proxying.awaitListening("discovery", STARTUP);
                    proxying.awaitLog(Pattern.compile("listening: discovery .* server=upstream "
                            + Pattern.quote(upstream) + " "), Duration.ZERO);
                    try (DiscoveryTestClient client = DiscoveryTestClient.tls(address, greenEgressContext())) {
                        DiscoveryTestClient.Response list = client.get("/v1/services/");
                        assertThat(list.status()).as("%s", list).isEqualTo(200);
                        assertThat(DiscoveryJson.readServiceList(list.body())).isEqualTo(upstreamList);
                        DiscoveryUpstreamStub.Recorded listRequest = stub.nextRequest(EVENT);
                        assertThat(listRequest.method()).isEqualTo("GET");
                        assertThat(listRequest.uri()).isEqualTo("/v1/services/green-mesh");
                        assertThat(listRequest.headers().get("x-forwarded-for")).isEqualTo("127.0.0.1");

                        try (DiscoveryTestClient.Watch watch = client.watch("/v1/watch")) {
                            assertThat(watch.status()).isEqualTo(200);
                            assertThat(HttpUtil.isTransferEncodingChunked(watch.head())).isTrue();
                            assertThat(DiscoveryJson.readWatchEvent(watch.nextLine(EVENT))).isEqualTo(upstreamEvent);
                            assertThat(stub.nextRequest(EVENT).uri()).isEqualTo("/v1/watch/green-mesh");
                        }

                        assertThat(client.get("/").status()).isEqualTo(404);
                        assertThat(client.get("/v1/services/green-mesh").status()).isEqualTo(404);
                        assertThat(stub.pollRequest(QUIET)).as("a request the listener answered itself").isNull();
                    }
                } finally {
                    System.out.println("--- last " + GatewayProcess.TAIL_LINES + " lines of " + proxying.logFile()
                            + ":\n" + proxying.logTail(GatewayProcess.TAIL_LINES));
                }
            }
        }
    }
}
