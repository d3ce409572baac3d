package io.fedgate.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import io.netty.handler.ssl.SslContext;

import io.fedgate.core.pki.CertificateAuthority;
import io.fedgate.core.pki.IssuedCertificate;
import io.fedgate.core.routing.SniName;
import io.fedgate.core.spiffe.SpiffeId;
import io.fedgate.core.testing.ClientHelloBuilder;
import io.fedgate.core.probe.ConnectionReport;
import io.fedgate.core.probe.DigestingBackend;
import io.fedgate.core.probe.Ending;
import io.fedgate.core.testing.FederationFixture;
import io.fedgate.core.testing.FederationPki;
import io.fedgate.core.demo.GatewayProcess;
import io.fedgate.core.probe.PseudoRandomBytes;
import io.fedgate.core.testing.RawClient;
import io.fedgate.core.demo.ServiceSpec;
import io.fedgate.core.testing.TestSslContexts;
import io.fedgate.core.probe.TrafficClient;
import io.fedgate.core.tls.SslContexts;
import io.fedgate.core.tls.TlsProvider;
import io.fedgate.core.transport.Transport;
import io.fedgate.core.trust.PeerAuthorizer;
import io.fedgate.core.trust.SpiffeTrustManager;
import io.fedgate.core.trust.SvidVerifier;

/**
 * The ingress, as its own process, refuses every kind of bad downstream connection on its service listener, logs
 * each refusal once with its reason code (and, for identity refusals, the presented and the expected SPIFFE IDs),
 * counts it in {@code /stats/prometheus}, and relays nothing of it to the backend, while a long good connection
 * through the same listener keeps flowing and arrives intact both ways.
 *
 * <p>One ingress for the whole class, started with {@code --handshake-timeout 2s --max-client-hello 4096}. The good
 * connection (1 GiB each way) starts before the first bad one and is checked after the last. The bad cases run one
 * at a time, in order (the prompt refusals first, then the two that wait out the handshake timeout), so that the
 * refusal lines logged after a case starts are that case's; each case checks that exactly one line was logged.
 *
 * <p>{@link #responseArrivesWholeWhenTheClientHalfClosesFirst()} reproduces the epoll transport bug that made
 * io_uring the default (see {@code Transport}); {@code -Dfedgate.transport=epoll} (passed on to the ingress) shows it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class IngressRefusesBadConnectionsIT {
    /** Each way; long enough (about 15 s here with epoll, 28 s with NIO) to outlast the bad cases. */
    private static final long GOOD_SIZE = 1L << 30;
    private static final Duration GOOD_TIMEOUT = Duration.ofSeconds(90); // a bound on a stall, not a speed: 2 shared cores
    /** The half-close reproduction: what the backend sends, and how many connections try. */
    private static final long RESPONSE_SIZE = 16L << 20;
    private static final int RESPONSE_ATTEMPTS = 5;
    private static final String EXPORTED = "ratings.bookinfo.svc.green-mesh-exports.local";
    private static final String SNI = SniName.outbound(9080, EXPORTED);
    private static final String UNKNOWN_SNI = SniName.outbound(9080, "details.bookinfo.svc.green-mesh-exports.local");
    private static final String REVIEWS_SNI = SniName.outbound(9080, "reviews.bookinfo.svc.green-mesh-exports.local");
    /** The cases whose refusal needs no timeout: the good connection must be in flight at the end of each. */
    private static final List<String> PROMPT_CASES = List.of("wrongSpiffeIdFromTheRightCa",
            "rightSpiffeIdFromAForeignCa", "noClientCertificate", "expiredCertificate", "unknownSni", "plaintextHttp",
            "garbageAfterAHandshakeRecordHeader", "clientHelloOfGarbage", "clientHelloLargerThanTheBound",
            "truncatedClientHelloThenHalfClose");
    private static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(2);
    private static final int MAX_CLIENT_HELLO = 4096;
    /** Bound of a refusal that needs no timeout: well under the handshake timeout. */
    private static final Duration PROMPT = Duration.ofMillis(1500);
    /** How long a refusal line may take to appear, and how long to look for a second one. */
    private static final Duration LOG_WAIT = Duration.ofSeconds(10);
    private static final Duration SETTLE = Duration.ofMillis(200);

    private static final Pattern REFUSED = Pattern.compile(
            "^.* \\[Listener\\] refused listener=service downstream=(\\S+) sni=(\\S+) peer=(\\S+) reason=([a-z-]+): (.*)$",
            Pattern.MULTILINE);
    private static final Pattern COUNTER = Pattern.compile(
            "^fedgate_ingress_downstream_cx_refused_total\\{([^}]*)\\} (\\S+)$", Pattern.MULTILINE);

    @TempDir
    static Path dir;

    private FederationFixture federation;
    private FederationPki pki;
    private DigestingBackend ratings;
    private DigestingBackend reviews;
    private GatewayProcess ingress;
    private InetSocketAddress service;
    private InetSocketAddress admin;
    private TrafficClient client;
    /** The bad TLS clients, on their own event loop: not queued behind the good connection's. */
    private TrafficClient probes;
    private CompletableFuture<ConnectionReport> good;
    /** Refusals logged so far, by {@code peer/reason}: what the counters must say. */
    private final Map<String, Integer> logged = new TreeMap<>();
    private final List<String> stillFlowing = new ArrayList<>();
    private final List<String> finishedBefore = new ArrayList<>();
    private String currentTest;

    @BeforeAll
    void startIngressAndGoodConnection() {
        federation = FederationFixture.create(dir);
        pki = federation.pki();
        ratings = DigestingBackend.builder().sinkAndSource(GOOD_SIZE, 2).connectionTimeout(GOOD_TIMEOUT).start();
        reviews = DigestingBackend.builder().sinkAndSource(RESPONSE_SIZE, 3).connectionTimeout(LOG_WAIT).start();
        FederationFixture.MeshConfig red = federation.redConfig()
                .service(ServiceSpec.named("bookinfo", "ratings").port("http", 9080).endpoint(ratings.address()))
                .service(ServiceSpec.named("bookinfo", "reviews").port("http", 9080).endpoint(reviews.address()))
                .export("bookinfo", "ratings")
                .export("bookinfo", "reviews");
        red.write();
        List<String> args = federation.ingress(pki.red(), pki.green()).baseArgs(red.directory());
        args.addAll(List.of("--bind", "127.0.0.1", "--service-port", "0", "--discovery-port", "0", "--admin-port", "0",
                "--handshake-timeout", HANDSHAKE_TIMEOUT.toSeconds() + "s",
                "--max-client-hello", Integer.toString(MAX_CLIENT_HELLO)));
        GatewayProcess.Builder builder = GatewayProcess.jar(GatewayProcess.ingressJar()).name("ingress-green-mesh")
                .logDirectory(dir).args(args);
        String transport = System.getProperty(Transport.PROPERTY);
        if (transport != null && !transport.isBlank()) {
            builder.jvmArgs("-D" + Transport.PROPERTY + "=" + transport); // e.g. nio, to tell the epoll bug apart
        }
        ingress = builder.start();
        service = ingress.awaitListening("service", Duration.ofSeconds(30));
        admin = ingress.awaitListening("admin", Duration.ofSeconds(30));
        client = TrafficClient.create();
        probes = TrafficClient.create();

        good = client.to(service).tls(greenEgress(), SNI).send(GOOD_SIZE, 1).timeout(GOOD_TIMEOUT).start();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (ratings.accepted() == 0 && System.nanoTime() - deadline < 0 && !good.isDone()) {
            sleep(10);
        }
        assertThat(ratings.accepted()).as("the good connection reached the backend before the bad ones start; %s",
                good.getNow(null)).isEqualTo(1);
    }

    @BeforeEach
    void name(TestInfo test) {
        currentTest = test.getTestMethod().map(java.lang.reflect.Method::getName).orElse(test.getDisplayName());
    }

    @AfterAll
    void stop() {
        if (client != null) {
            client.close();
        }
        if (probes != null) {
            probes.close();
        }
        if (ingress != null) {
            ingress.close();
            System.out.println(ingress.logTail(80)); // kept in the failsafe report
        }
        if (ratings != null) {
            ratings.close();
        }
        if (reviews != null) {
            reviews.close();
        }
    }

    // ---- identity refusals: a TLS client reaches the route (SNI is fine), the handshake refuses its certificate

    @Test
    @Order(1)
    void wrongSpiffeIdFromTheRightCa() {
        SpiffeId intruder = pki.green().id("reviews-service-account");
        IssuedCertificate svid = pki.green().ca().issueSvid(intruder);
        Refusal refusal = tlsRefused(TestSslContexts.clientPresenting(svid, ingressTrust(), TlsProvider.preferred()), SNI);

        assertThat(refusal.reason).isEqualTo("spiffe-id-mismatch");
        assertThat(refusal.peer).isEqualTo(pki.green().name());
        assertThat(refusal.detail).isEqualTo("presented " + intruder + ", expected " + expectedClientId());
    }

    @Test
    @Order(2)
    void rightSpiffeIdFromAForeignCa() {
        CertificateAuthority foreign = CertificateAuthority.createRoot(pki.green().trustDomain());
        IssuedCertificate svid = foreign.issueSvid(expectedClientId());
        Refusal refusal = tlsRefused(TestSslContexts.clientPresenting(svid, ingressTrust(), TlsProvider.preferred()), SNI);

        assertThat(refusal.reason).isEqualTo("untrusted-chain");
        assertThat(refusal.peer).isEqualTo(pki.green().name());
        // The foreign root has the same subject as green's, so the detail cannot tell them apart by name.
        assertThat(refusal.detail).startsWith("presented " + expectedClientId() + " (")
                .contains("which does not chain to the green-mesh.local trust bundle, expected a chain to one of "
                        + "['CN=Root CA,O=green-mesh.local']");
    }

    @Test
    @Order(3)
    void noClientCertificate() {
        Refusal refusal = tlsRefused(TestSslContexts.clientWithoutCertificate(ingressTrust(), TlsProvider.preferred()), SNI);

        assertThat(refusal.reason).isEqualTo("no-peer-certificate");
        assertThat(refusal.peer).isEqualTo(pki.green().name());
        assertThat(refusal.detail).isEqualTo("peer presented no certificate, expected an X509-SVID");
    }

    @Test
    @Order(4)
    void expiredCertificate() {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        IssuedCertificate svid = pki.green().ca().newSvid(expectedClientId())
                .notBefore(now.minus(Duration.ofDays(2))).notAfter(now.minus(Duration.ofDays(1))).issue();
        Refusal refusal = tlsRefused(TestSslContexts.clientPresenting(svid, ingressTrust(), TlsProvider.preferred()), SNI);

        assertThat(refusal.reason).isEqualTo("certificate-expired");
        assertThat(refusal.peer).isEqualTo(pki.green().name());
        assertThat(refusal.detail).startsWith("presented " + expectedClientId() + ", which expired at "
                + svid.chain().get(0).getNotAfter().toInstant() + " (now ");
    }

    // ---- routing refusals: the ClientHello is read, its server name is not served

    @Test
    @Order(5)
    void unknownSni() {
        // A raw ClientHello: a TLS client with ALLOW_HALF_CLOSURE would not notice the ingress's FIN before its own
        // handshake timeout, as nothing of the handshake comes back.
        byte[] hello = ClientHelloBuilder.withSni(UNKNOWN_SNI).build();
        int mark = ingress.logLength();
        RawClient.Result result = RawClient.to(service).send(hello).await(LOG_WAIT);
        Refusal refusal = awaitOneRefusal(mark, result);

        assertClosedPromptly(result);
        assertThat(result.receivedCount()).as("nothing answered: %s", result).isZero();
        assertThat(refusal.reason).isEqualTo("unknown-sni");
        assertThat(refusal.sni).isEqualTo(UNKNOWN_SNI);
        assertThat(refusal.peer).isEqualTo("unknown");
        assertThat(refusal.detail).isEqualTo(UNKNOWN_SNI + " is not exported to any peer this ingress serves");
    }

    // ---- not TLS, or a ClientHello that cannot be used

    @Test
    @Order(6)
    void plaintextHttp() {
        int mark = ingress.logLength();
        RawClient.Result result = RawClient.to(service).send("GET / HTTP/1.1\r\nHost: ratings\r\n\r\n").await(LOG_WAIT);
        Refusal refusal = awaitOneRefusal(mark, result);

        assertClosedPromptly(result);
        assertThat(result.receivedCount()).as("nothing answered: %s", result).isZero();
        assertThat(refusal.sni).isEqualTo("-");
        assertThat(refusal.peer).isEqualTo("unknown");
        // Netty's ClientHello reader calls only a 0x14/0x15 first byte "not TLS"; the ingress checks the first byte.
        assertThat(refusal.reason).as("line: %s", refusal.line).isEqualTo("not-tls");
        assertThat(refusal.detail).isEqualTo("the first byte is 0x47, not a TLS handshake record (0x16)");
    }

    @Test
    @Order(7)
    void garbageAfterAHandshakeRecordHeader() {
        byte[] garbage = new PseudoRandomBytes(8).next(512);
        assertThat(garbage[0]).as("the seed's first byte happens to be a ClientHello's type").isNotEqualTo((byte) 1);
        byte[] record = concat(new byte[] {0x16, 0x03, 0x01, (byte) (garbage.length >>> 8), (byte) garbage.length},
                garbage);
        int mark = ingress.logLength();
        RawClient.Result result = RawClient.to(service).send(record).await(LOG_WAIT);
        Refusal refusal = awaitOneRefusal(mark, result);

        assertClosedPromptly(result);
        assertThat(refusal.reason).isEqualTo("no-sni");
        assertThat(refusal.sni).isEqualTo("-");
        assertThat(refusal.peer).isEqualTo("unknown");
        assertThat(refusal.detail).isEqualTo("the ClientHello names no server (SNI)");
    }

    @Test
    @Order(8)
    void clientHelloOfGarbage() {
        // Well framed (record, then a client_hello of the right length), random inside.
        byte[] body = new PseudoRandomBytes(9).next(508);
        byte[] message = concat(new byte[] {0x01, 0x00, (byte) (body.length >>> 8), (byte) body.length}, body);
        byte[] record = concat(new byte[] {0x16, 0x03, 0x01, (byte) (message.length >>> 8), (byte) message.length},
                message);
        int mark = ingress.logLength();
        RawClient.Result result = RawClient.to(service).send(record).await(LOG_WAIT);
        Refusal refusal = awaitOneRefusal(mark, result);

        assertClosedPromptly(result);
        assertThat(refusal.reason).isEqualTo("no-sni");
        assertThat(refusal.sni).isEqualTo("-");
        assertThat(refusal.peer).isEqualTo("unknown");
        assertThat(refusal.detail).isEqualTo("the ClientHello names no server (SNI)");
    }

    @Test
    @Order(9)
    void clientHelloLargerThanTheBound() {
        byte[] hello = ClientHelloBuilder.withSni(SNI).handshakeLength(MAX_CLIENT_HELLO + 1).build();
        int mark = ingress.logLength();
        RawClient.Result result = RawClient.to(service).send(hello).await(LOG_WAIT);
        Refusal refusal = awaitOneRefusal(mark, result);

        assertClosedPromptly(result);
        assertThat(refusal.reason).isEqualTo("client-hello-too-large");
        assertThat(refusal.sni).isEqualTo("-");
        assertThat(refusal.peer).isEqualTo("unknown");
        assertThat(refusal.detail).isEqualTo("ClientHello length exceeds " + MAX_CLIENT_HELLO + ": "
                + (MAX_CLIENT_HELLO + 1));
    }

    // ---- the two that wait out the handshake timeout

    @Test
    @Order(10)
    void truncatedClientHelloThenHalfClose() {
        byte[] hello = ClientHelloBuilder.withSni(SNI).build();
        byte[] cut = ClientHelloBuilder.truncate(hello, 100);
        int mark = ingress.logLength();
        RawClient.Result result = RawClient.to(service).send(cut).thenHalfClose().await(LOG_WAIT);
        Refusal refusal = awaitOneRefusal(mark, result);

        // A FIN before the ClientHello is complete ends the connection at once: nothing more can arrive.
        assertClosedPromptly(result);
        assertThat(refusal.reason).isEqualTo("closed-before-handshake");
        assertThat(refusal.sni).isEqualTo("-");
        assertThat(refusal.peer).isEqualTo("unknown");
        assertThat(refusal.detail).isEqualTo("the downstream ended its input before TLS was established");
    }

    @Test
    @Order(11)
    void silentClientIsClosedAfterTheHandshakeTimeout() {
        int mark = ingress.logLength();
        RawClient.Result result = RawClient.to(service).await(LOG_WAIT);
        Refusal refusal = awaitOneRefusal(mark, result);

        assertClosedAfterTheHandshakeTimeout(result);
        assertThat(refusal.reason).isEqualTo("handshake-timeout");
        assertThat(refusal.sni).isEqualTo("-");
        assertThat(refusal.peer).isEqualTo("unknown");
        assertThat(refusal.detail).isEqualTo("handshake timed out after " + HANDSHAKE_TIMEOUT.toMillis() + "ms");
    }

    // ---- after the bad cases

    @Test
    @Order(20)
    void refusalsAreCountedAsLogged() throws Exception {
        String page = prometheus();
        Map<String, Integer> counted = new TreeMap<>();
        Matcher counter = COUNTER.matcher(page);
        while (counter.find()) {
            Map<String, String> labels = labels(counter.group(1));
            if ("service".equals(labels.get("listener"))) {
                counted.merge(labels.get("peer") + "/" + labels.get("reason"),
                        (int) Double.parseDouble(counter.group(2)), Integer::sum);
            }
        }
        Map<String, Integer> expected = new TreeMap<>();
        logged.forEach((key, count) -> expected.put(key.substring(0, key.indexOf('/') + 1)
                + key.substring(key.indexOf('/') + 1).replace('-', '_'), count));
        assertThat(counted).as("refusal counters of the service listener vs. the refusals logged; page:\n%s", page)
                .isEqualTo(expected);
        // Spot checks, as an operator would query them.
        assertThat(expected).containsEntry("green-mesh/spiffe_id_mismatch", 1)
                .containsEntry("green-mesh/certificate_expired", 1)
                .containsEntry("unknown/client_hello_too_large", 1)
                .containsEntry("unknown/handshake_timeout", 1)
                .containsEntry("unknown/closed_before_handshake", 1)
                .containsEntry("unknown/not_tls", 1);
        assertThat(page).contains("fedgate_ingress_downstream_cx_refused_total{listener=\"service\",peer=\"green-mesh\","
                + "reason=\"spiffe_id_mismatch\"} 1");
    }

    @Test
    @Order(21)
    void goodConnectionFlowedThroughoutAndArrivedIntact() throws Exception {
        ConnectionReport sent = good.get(GOOD_TIMEOUT.plusSeconds(10).toMillis(), TimeUnit.MILLISECONDS);
        System.out.println("good connection, client: " + sent + "; in flight at the end of " + stillFlowing
                + ", finished before the end of " + finishedBefore);
        assertThat(sent.cause()).as("client error: %s", sent).isEmpty();
        assertThat(sent.ending()).as("client: %s", sent).isEqualTo(Ending.EOF);
        assertThat(sent.peer()).contains(pki.red().ingressId(pki.green()));
        assertThat(sent.bytesSent()).as("bytes the client sent: %s", sent).isEqualTo(GOOD_SIZE);
        // BUG (epoll, intermittent): see responseArrivesWholeWhenTheClientHalfClosesFirst; when it strikes, the client
        // gets a bare FIN (no close_notify) after part of the response, and the backend's connection hangs.
        assertThat(sent.bytesReceived()).as("bytes the client received, i.e. the ingress did not end its output "
                + "to the client early (ingress relay bug if fewer): %s", sent).isEqualTo(GOOD_SIZE);

        List<ConnectionReport> closed;
        try {
            closed = ratings.awaitConnections(1, Duration.ofSeconds(15));
        } catch (AssertionError e) {
            throw new AssertionError("the client's side ended (" + sent + "), the backend's did not: "
                    + e.getMessage(), e);
        }
        ConnectionReport arrived = closed.get(0);
        System.out.println("good connection, backend: " + arrived);
        assertThat(arrived.cause()).as("backend error: %s", arrived).isEmpty();
        assertThat(arrived.bytesReceived()).as("bytes at the backend").isEqualTo(GOOD_SIZE);
        assertThat(arrived.sha256Received()).as("SHA-256 downstream -> upstream").isEqualTo(sent.sha256Sent());
        assertThat(sent.sha256Received()).as("SHA-256 upstream -> downstream").isEqualTo(arrived.sha256Sent());
        assertThat(arrived.inputEnded()).as("client's half-close reached the backend").isTrue();
        assertThat(sent.inputEnded()).as("backend's half-close reached the client").isTrue();
        assertThat(ratings.accepted()).as("connections that reached the backend: only the good one").isEqualTo(1);
        assertThat(finishedBefore).as("prompt bad cases that ended after the good connection had already finished "
                + "(raise GOOD_SIZE: it must outlast them)").doesNotContainAnyElementsOf(PROMPT_CASES);
    }

    /**
     * The relay bug the good connection runs into, made (almost) certain: the client sends 1 KiB and half-closes
     * at once, the backend then sends 16 MiB. With the epoll transport (Netty 4.2.18), once the client's FIN is read
     * and no write is pending, the downstream channel's interest set is empty, and {@code EpollIoHandler} deletes its
     * fd from the epoll set but keeps its registration marked as added; the next interest (EPOLLOUT when the client's socket buffer fills, or
     * EPOLLIN when the relay asks for a read) is an {@code EPOLL_CTL_MOD} that fails with ENOENT, thrown as an
     * {@code UncheckedIOException}. From a write, Netty shuts the output down (a bare FIN: the client sees a clean
     * end after part of the response) and the relay stops reading the backend, whose connection hangs half-closed;
     * from a read, Netty closes the downstream and the relay resets the backend. About two attempts in three fail
     * here; with {@code -Dfedgate.transport=nio} none do.
     */
    @Test
    @Order(22)
    void responseArrivesWholeWhenTheClientHalfClosesFirst() {
        String expected = PseudoRandomBytes.sha256Hex(3, RESPONSE_SIZE);
        List<ConnectionReport> truncated = new ArrayList<>();
        for (int attempt = 0; attempt < RESPONSE_ATTEMPTS; attempt++) {
            ConnectionReport report = probes.to(service).tls(greenEgress(), REVIEWS_SNI).send(1024, 4)
                    .timeout(LOG_WAIT).run();
            System.out.println("half-close first, attempt " + (attempt + 1) + ": " + report);
            if (report.bytesReceived() != RESPONSE_SIZE || !report.sha256Received().equals(expected)
                    || report.cause().isPresent()) {
                truncated.add(report);
            }
        }
        // BUG: fails today (see the javadoc).
        assertThat(truncated).as("of %s connections that half-closed first, those that did not receive the backend's "
                + "%s bytes whole (ingress relay bug with epoll)", RESPONSE_ATTEMPTS, RESPONSE_SIZE).isEmpty();
    }

    // ---- helpers

    /** The ingress's client ID for green: green's egress for red. */
    private SpiffeId expectedClientId() {
        return pki.green().egressId(pki.red());
    }

    private SslContext greenEgress() {
        return SslContexts.forClient(pki.green().egressIdentity(pki.red()), pki.bundles(),
                PeerAuthorizer.exactly(pki.red().ingressId(pki.green())), TlsProvider.preferred());
    }

    /** How green's egress checks red's ingress: the bad clients differ only in what they present. */
    private SpiffeTrustManager ingressTrust() {
        return new SpiffeTrustManager(new SvidVerifier(pki.bundles()), PeerAuthorizer.exactly(pki.red().ingressId(pki.green())));
    }

    /** Connects over TLS with {@code context}, sends a little, and returns the refusal the ingress logged for it. */
    private Refusal tlsRefused(SslContext context, String sni) {
        int mark = ingress.logLength();
        ConnectionReport report = probes.to(service).tls(context, sni).send(1024, 7).timeout(LOG_WAIT).run();
        System.out.println("refused client: " + report);
        Refusal refusal = awaitOneRefusal(mark, report);
        assertThat(report.ending()).as("the ingress ended it: %s", report).isIn(Ending.HANDSHAKE_FAILED, Ending.RESET,
                Ending.EOF, Ending.ERROR);
        assertThat(report.bytesReceived()).as("nothing relayed back: %s", report).isZero();
        assertThat(refusal.downstream).as(refusal.line).isEqualTo("127.0.0.1:" + report.localAddress().getPort());
        assertThat(refusal.sni).as(refusal.line).isEqualTo(sni);
        return refusal;
    }

    /**
     * Waits for the first refusal line after {@code mark}, then checks that it stays the only one, and notes the
     * good connection's state.
     */
    private Refusal awaitOneRefusal(int mark, Object clientSide) {
        Matcher first = null;
        try {
            ingress.awaitLog(REFUSED, mark, LOG_WAIT);
        } catch (AssertionError e) {
            throw new AssertionError("no refusal logged for " + clientSide + ": " + e.getMessage(), e);
        }
        sleep(SETTLE.toMillis());
        String since = ingress.log().substring(mark);
        List<String> lines = new ArrayList<>();
        Matcher matcher = REFUSED.matcher(since);
        while (matcher.find()) {
            lines.add(matcher.group());
            if (first == null) {
                first = REFUSED.matcher(matcher.group());
                assertThat(first.matches()).isTrue();
            }
        }
        System.out.println(clientSide + "\n  -> " + String.join("\n  -> ", lines));
        assertThat(lines).as("refusal lines for one bad connection (%s)", clientSide).hasSize(1);
        Refusal refusal = new Refusal(first);
        logged.merge(refusal.peer + "/" + refusal.reason, 1, Integer::sum);
        (good.isDone() ? finishedBefore : stillFlowing).add(currentTest);
        return refusal;
    }

    private static void assertClosedPromptly(RawClient.Result result) {
        assertThat(result.closure()).as("closed by the ingress: %s", result).isIn(RawClient.Closure.EOF,
                RawClient.Closure.RESET);
        assertThat(result.closedAfter()).as("closed without waiting for the handshake timeout: %s", result)
                .isLessThan(PROMPT);
    }

    private static void assertClosedAfterTheHandshakeTimeout(RawClient.Result result) {
        assertThat(result.closure()).as("closed by the ingress: %s", result).isIn(RawClient.Closure.EOF,
                RawClient.Closure.RESET);
        assertThat(result.receivedCount()).as("nothing answered: %s", result).isZero();
        // The ingress's timer starts when it accepts, after this client began to connect: count from the connect.
        assertThat(result.duration()).as("closed after the handshake timeout (%s): %s", HANDSHAKE_TIMEOUT, result)
                .isGreaterThanOrEqualTo(HANDSHAKE_TIMEOUT.minusMillis(20))
                .isLessThan(Duration.ofSeconds(10));
    }

    private String prometheus() throws IOException, InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + admin.getPort() + "/stats/prometheus"))
                .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return response.body();
    }

    private static Map<String, String> labels(String text) {
        Map<String, String> labels = new TreeMap<>();
        Matcher label = Pattern.compile("(\\w+)=\"([^\"]*)\"").matcher(text);
        while (label.find()) {
            labels.put(label.group(1), label.group(2));
        }
        return labels;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] both = new byte[a.length + b.length];
        System.arraycopy(a, 0, both, 0, a.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** One {@code refused} line of the ingress's log. */
    private static final class Refusal {
        final String line;
        final String downstream;
        final String sni;
        final String peer;
        final String reason;
        final String detail;

        Refusal(Matcher match) {
            this.line = match.group();
            this.downstream = match.group(1);
            this.sni = match.group(2);
            this.peer = match.group(3);
            this.reason = match.group(4);
            this.detail = match.group(5);
        }
    }
}
