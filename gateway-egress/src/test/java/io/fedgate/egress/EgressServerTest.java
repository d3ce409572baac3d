package io.fedgate.egress;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.micrometer.core.instrument.Counter;
import io.netty.handler.ssl.SslContext;
import io.netty.util.ReferenceCountUtil;

import io.fedgate.core.cli.GatewayCommand;
import io.fedgate.core.discovery.ServiceListMessage;
import io.fedgate.core.discovery.ServiceMessage;
import io.fedgate.core.discovery.ServicePortMessage;
import io.fedgate.core.discovery.client.WatchStatus;
import io.fedgate.core.gateway.GatewayRole;
import io.fedgate.core.pki.CertificateAuthority;
import io.fedgate.core.pki.IssuedCertificate;
import io.fedgate.core.routing.SniName;
import io.fedgate.core.spiffe.SpiffeId;
import io.fedgate.core.probe.ConnectionReport;
import io.fedgate.core.probe.DigestingBackend;
import io.fedgate.core.testing.FederationFixture;
import io.fedgate.core.testing.FederationPki;
import io.fedgate.core.testing.TestSslContexts;
import io.fedgate.core.probe.TlsBackend;
import io.fedgate.core.probe.TrafficClient;
import io.fedgate.core.tls.GatewayIdentity;
import io.fedgate.core.tls.SslContexts;
import io.fedgate.core.tls.TlsProvider;
import io.fedgate.core.trust.PeerAuthorizer;
import io.fedgate.core.trust.SpiffeTrustManager;
import io.fedgate.core.trust.SvidVerifier;

/**
 * Red's egress for green inside the test JVM, with a {@link TlsBackend} standing in for green's ingress: a red
 * workload's TLS is terminated, mapped from the import host to green's exported host, and re-encrypted to the
 * "ingress" with Istio's SNI and red's egress identity.
 */
class EgressServerTest {
    private static final String EXPORTED = "ratings.bookinfo.svc.red-mesh-exports.local";
    private static final String IMPORTED = "ratings.bookinfo.svc.green-mesh-imports.local";

    @TempDir
    Path dir;

    private FederationPki pki;
    private FederationFixture.MeshConfig red;
    private TlsBackend greenIngress;
    private EgressServer server;
    private TrafficClient client;
    private SslContext workload;
    private final List<String> logs = new CopyOnWriteArrayList<>();
    private final List<Logger> loggers = new ArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            logs.add(record.getMessage());
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void start() throws Exception {
        FederationFixture federation = FederationFixture.create(dir);
        pki = federation.pki();
        SslContext ingressContext = SslContexts.forServer(pki.green().ingressIdentity(pki.red()), pki.bundles(),
                PeerAuthorizer.exactly(pki.red().egressId(pki.green())), TlsProvider.preferred());
        greenIngress = DigestingBackend.builder().echo().startTls(ingressContext);
        red = federation.redConfig()
                .peerIngress(greenIngress.address())
                .importFromPeer("bookinfo", "ratings");
        red.write();
        List<String> args = new ArrayList<>(federation.egress(pki.red(), pki.green()).args(red));
        args.addAll(List.of("--plaintext-port-base", String.valueOf(freePort())));
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        GatewayCommand.Prepared prepared = GatewayCommand.prepare(GatewayRole.EGRESS, "test",
                args.toArray(String[]::new), System.out, new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(prepared.ready()).as("%s", err).isTrue();
        for (String name : List.of("io.fedgate.egress.ServiceListener", "io.fedgate.core.listener.Listener")) {
            Logger logger = Logger.getLogger(name);
            logger.addHandler(capture);
            loggers.add(logger);
        }
        server = EgressServer.start(prepared.context());
        client = TrafficClient.create();
        workload = TestSslContexts.clientPresenting(pki.red().ca().issueSvid(pki.red().id("productpage")),
                new SpiffeTrustManager(new SvidVerifier(pki.bundles()),
                        PeerAuthorizer.exactly(pki.red().egressId(pki.green()))), TlsProvider.preferred());
    }

    @AfterEach
    void stop() {
        loggers.forEach(logger -> logger.removeHandler(capture));
        client.close();
        server.close();
        greenIngress.close();
        ReferenceCountUtil.release(greenIngress.serverContext());
        ReferenceCountUtil.release(workload);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private void discover(SpiffeId ingressAccount) {
        server.updateServices(pki.green().name(), ServiceListMessage.of(List.of(new ServiceMessage("ratings",
                "bookinfo", EXPORTED, List.of(new ServicePortMessage("http", 9080, "HTTP")),
                List.of(ingressAccount.toString())))));
    }

    @Test
    void relaysSixteenMebibytesEachWayToThePeerIngress() {
        discover(pki.green().ingressId(pki.red()));

        ConnectionReport report = client.to(server.serviceAddress()).tls(workload, IMPORTED).send(16 << 20, 7).run();

        assertThat(report.cause()).as("%s", report).isEmpty();
        assertThat(report.bytesReceived()).isEqualTo(16 << 20);
        assertThat(report.sha256Received()).isEqualTo(report.sha256Sent());
        ConnectionReport upstream = greenIngress.awaitConnection();
        assertThat(upstream.sni()).contains(SniName.outbound(9080, EXPORTED));
        assertThat(upstream.peer()).contains(pki.red().egressId(pki.green()));
        assertThat(upstream.bytesReceived()).isEqualTo(16 << 20);
    }

    @Test
    void outboundFormOfTheImportHostRoutesToo() {
        discover(pki.green().ingressId(pki.red()));

        ConnectionReport report = client.to(server.serviceAddress()).tls(workload, SniName.outbound(9080, IMPORTED))
                .send(100_000, 3).run();

        assertThat(report.bytesReceived()).as("%s", report).isEqualTo(100_000);
        assertThat(report.sha256Received()).isEqualTo(report.sha256Sent());
    }

    @Test
    void refusesAnIngressWhoseIdentityIsNotAServiceAccount() {
        discover(pki.green().id("someone-else"));

        ConnectionReport report = client.to(server.serviceAddress()).tls(workload, IMPORTED).send(1000, 1).run();

        assertThat(report.bytesReceived()).as("%s", report).isZero();
        assertThat(logs).anySatisfy(line -> assertThat(line).contains("upstream handshake failed")
                .contains("reason=spiffe-id-mismatch: presented " + pki.green().ingressId(pki.red())));
        assertThat(logs).anySatisfy(line -> assertThat(line).contains("refused listener=service")
                .contains("reason=upstream-spiffe-id-mismatch"));
    }

    @Test
    void refusesAnIngressChainedToAnotherRoot() {
        // An impostor on the peer's address: the right SPIFFE ID, issued by a CA that is not green's root.
        int port = greenIngress.address().getPort();
        greenIngress.close();
        ReferenceCountUtil.release(greenIngress.serverContext());
        CertificateAuthority foreign = CertificateAuthority.createRoot(pki.green().trustDomain());
        IssuedCertificate svid = foreign.issueSvid(pki.green().ingressId(pki.red()));
        GatewayIdentity impostor = GatewayIdentity.of(svid.chain(), svid.privateKey(), List.of(foreign.root()));
        greenIngress = DigestingBackend.builder().echo().port(port).startTls(SslContexts.forServer(impostor,
                pki.bundles(), PeerAuthorizer.exactly(pki.red().egressId(pki.green())), TlsProvider.preferred()));
        discover(pki.green().ingressId(pki.red()));

        ConnectionReport report = client.to(server.serviceAddress()).tls(workload, IMPORTED).send(1000, 1).run();

        assertThat(report.bytesReceived()).as("%s", report).isZero();
        assertThat(greenIngress.accepted()).isPositive();
        assertThat(logs).anySatisfy(line -> assertThat(line).contains("upstream handshake failed")
                .contains("reason=untrusted-chain: ").contains(pki.green().ingressId(pki.red()).toString()));
        assertThat(logs).anySatisfy(line -> assertThat(line).contains("refused listener=service")
                .contains("reason=upstream-untrusted-chain"));
    }

    @Test
    void refusesAnUnknownServerName() {
        discover(pki.green().ingressId(pki.red()));

        ConnectionReport report = client.to(server.serviceAddress())
                .tls(workload, "details.bookinfo.svc.green-mesh-imports.local").send(1000, 1).run();

        assertThat(report.bytesReceived()).as("%s", report).isZero();
        assertThat(report.cause()).as("closed at once, not left to the client's handshake timeout: %s", report)
                .get().isNotInstanceOf(io.netty.handler.ssl.SslHandshakeTimeoutException.class);
        assertThat(greenIngress.accepted()).isZero();
        assertThat(logs).anySatisfy(line -> assertThat(line).contains("refused listener=service")
                .contains("reason=unknown-sni"));
    }

    @Test
    void discoveryDataThePeerCannotHaveSentIsRefusedCountedAndShown() throws InterruptedException {
        // A peer "discovery server" that echoes: its answer to GET /v1/watch is our own request, not an HTTP response.
        try (TlsBackend echoing = DigestingBackend.builder().echo().startTls(greenIngress.serverContext())) {
            red.peerDiscoveryPort(echoing.address().getPort()).write();
            server.reload();

            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (refused("unreadable") < 1) {
                assertThat(System.nanoTime()).as("a refusal within 10 s").isLessThan(deadline);
                Thread.sleep(20);
            }

            WatchStatus watch = server.status().peer(pki.green().name()).orElseThrow().watch().orElseThrow();
            assertThat(watch.connected()).isFalse();
            assertThat(watch.lastDisconnectStatus()).hasValueSatisfying(text -> assertThat(text)
                    .startsWith("refused discovery data: unreadable: watch response: "));
            assertThat(server.registry().scrape()).contains(
                    "fedgate_egress_discovery_data_refused_total{cause=\"unreadable\",peer=\"green-mesh\"}");
        }
    }

    private double refused(String cause) {
        Counter counter = server.registry().find("fedgate.egress.discovery.data.refused")
                .tags("peer", pki.green().name(), "cause", cause).counter();
        return counter == null ? 0 : counter.count();
    }

    @Test
    void noRoutesBeforeDiscovery() {
        ConnectionReport report = client.to(server.serviceAddress()).tls(workload, IMPORTED).send(1000, 1).run();

        assertThat(report.bytesReceived()).as("%s", report).isZero();
        assertThat(server.plaintextAddresses()).isEmpty();
    }

    @Test
    void plaintextListenerRelaysToTheSameUpstream() {
        discover(pki.green().ingressId(pki.red()));
        InetSocketAddress plaintext = server.plaintextAddresses().get(SniName.outbound(9080, IMPORTED));
        assertThat(plaintext).isNotNull();

        ConnectionReport report = client.to(plaintext).send(1 << 20, 5).run();

        assertThat(report.cause()).as("%s", report).isEmpty();
        assertThat(report.bytesReceived()).isEqualTo(1 << 20);
        assertThat(report.sha256Received()).isEqualTo(report.sha256Sent());
        assertThat(greenIngress.awaitConnection().sni()).contains(SniName.outbound(9080, EXPORTED));
    }
}
