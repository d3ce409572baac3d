package io.fedgate.core.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.time.Duration;
import java.util.List;

import javax.net.ssl.SSLException;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import io.fedgate.core.demo.Mesh;
import io.fedgate.core.tls.SslContexts;
import io.fedgate.core.tls.TlsProvider;
import io.fedgate.core.trust.PeerAuthorizer;
import io.fedgate.core.trust.RefusalReason;
import io.netty.handler.ssl.SslContext;
import io.fedgate.core.testing.FederationPki;

/**
 * {@link TrafficClient} against {@link DigestingBackend} and {@link TlsBackend}: 64 MiB each way with matching
 * digests and observed half-closes, over plain TCP and mutual TLS with the federation's identities (green's egress
 * for red calling red's ingress for green), and the endings of refused, reset and stuck connections.
 */
class TrafficClientTest {
    private static final long MIB = 1 << 20;
    private static final long BIG = 64 * MIB;
    /** A host name every provider accepts as SNI. */
    private static final String HOST = "ratings.bookinfo.svc.green-mesh-exports.local";
    /** The SNI an Istio egress sends for that host's port 9080; note the underscores. */
    private static final String ISTIO_SNI = "outbound_.9080_._." + HOST;

    private static FederationPki pki;
    private static Mesh red;
    private static Mesh green;
    private static TrafficClient client;

    @BeforeAll
    static void setUp() {
        pki = FederationPki.create();
        red = pki.red();
        green = pki.green();
        client = TrafficClient.create();
    }

    @AfterAll
    static void tearDown() {
        client.close();
    }

    static List<TlsProvider> providers() {
        return TlsProvider.available();
    }

    private static SslContext redIngress(TlsProvider provider) {
        return SslContexts.forServer(red.ingressIdentity(green), pki.bundles(), green.egressAuthorizer(red), provider);
    }

    private static SslContext greenEgress(TlsProvider provider) {
        return SslContexts.forClient(green.egressIdentity(red), pki.bundles(), PeerAuthorizer.exactly(red.ingressId(green)),
                provider);
    }

    @Test
    void moves64MibEachWayOverTcpWithMatchingDigestsAndHalfCloses() {
        try (DigestingBackend backend = DigestingBackend.sinkAndSource(BIG, 7)) {
            ConnectionReport sent = client.to(backend.address()).send(BIG, 1).run();
            ConnectionReport seen = backend.awaitConnection();

            assertThat(sent.ending()).as("%s", sent).isEqualTo(Ending.EOF);
            assertThat(sent.bytesSent()).isEqualTo(BIG);
            assertThat(sent.sha256Sent()).isEqualTo(PseudoRandomBytes.sha256Hex(1, BIG));
            assertThat(sent.bytesReceived()).isEqualTo(BIG);
            assertThat(sent.sha256Received()).isEqualTo(PseudoRandomBytes.sha256Hex(7, BIG));
            assertThat(sent.outputEnded()).isTrue();
            assertThat(sent.inputEnded()).as("client saw the backend's half-close").isTrue();
            assertThat(sent.handshake()).isEmpty();

            assertThat(seen.ending()).as("%s", seen).isEqualTo(Ending.EOF);
            assertThat(seen.bytesReceived()).isEqualTo(BIG);
            assertThat(seen.sha256Received()).isEqualTo(sent.sha256Sent());
            assertThat(seen.bytesSent()).isEqualTo(BIG);
            assertThat(seen.sha256Sent()).isEqualTo(sent.sha256Received());
            assertThat(seen.inputEnded()).as("backend saw the client's half-close").isTrue();
            assertThat(seen.closeNotifyReceived()).isFalse();
            assertThat(seen.remoteAddress()).isEqualTo(sent.localAddress());
            assertThat(sent.duration()).isLessThan(Duration.ofSeconds(15));
        }
    }

    @Test
    void echoes64MibOverTcp() {
        try (DigestingBackend backend = DigestingBackend.echo()) {
            ConnectionReport sent = client.to(backend.address()).send(BIG, 3).run();
            ConnectionReport seen = backend.awaitConnection();

            assertThat(sent.ending()).as("%s", sent).isEqualTo(Ending.EOF);
            assertThat(sent.bytesReceived()).isEqualTo(BIG);
            assertThat(sent.sha256Received()).isEqualTo(sent.sha256Sent());
            assertThat(seen.bytesSent()).isEqualTo(BIG);
            assertThat(seen.sha256Received()).isEqualTo(sent.sha256Sent());
            assertThat(seen.inputEnded()).isTrue();
        }
    }

    @Test
    void moves64MibEachWayOverMutualTlsAndReportsSniAndBothIdentities() {
        TlsProvider provider = TlsProvider.select();
        try (TlsBackend backend = DigestingBackend.builder().sinkAndSource(BIG, 11).startTls(redIngress(provider))) {
            ConnectionReport sent = client.to(backend.address()).tls(greenEgress(provider), HOST).send(BIG, 5).run();
            ConnectionReport seen = backend.awaitConnection();

            assertThat(sent.ending()).as("%s", sent).isEqualTo(Ending.EOF);
            assertThat(sent.peer()).contains(red.ingressId(green));
            assertThat(sent.handshake().orElseThrow().protocol()).isEqualTo("TLSv1.3");
            assertThat(sent.bytesReceived()).isEqualTo(BIG);
            assertThat(sent.sha256Received()).isEqualTo(PseudoRandomBytes.sha256Hex(11, BIG));
            assertThat(sent.inputEnded()).isTrue();

            assertThat(seen.ending()).as("%s", seen).isEqualTo(Ending.EOF);
            assertThat(seen.sni()).contains(HOST);
            assertThat(seen.peer()).contains(green.egressId(red));
            assertThat(seen.bytesReceived()).isEqualTo(BIG);
            assertThat(seen.sha256Received()).isEqualTo(sent.sha256Sent());
            assertThat(seen.inputEnded()).as("backend saw the client's half-close (a bare FIN)").isTrue();
            assertThat(seen.closeNotifyReceived()).isFalse();
        }
    }

    @ParameterizedTest
    @MethodSource("providers")
    void tlsEchoWorksWithEachProvider(TlsProvider provider) {
        try (TlsBackend backend = DigestingBackend.builder().echo().startTls(redIngress(provider))) {
            ConnectionReport sent = client.to(backend.address()).tls(greenEgress(provider), HOST).send(4 * MIB, 9).run();
            ConnectionReport seen = backend.awaitConnection();

            assertThat(sent.ending()).as("%s", sent).isEqualTo(Ending.EOF);
            assertThat(sent.sha256Received()).isEqualTo(sent.sha256Sent());
            assertThat(seen.sni()).contains(HOST);
            assertThat(seen.peer()).contains(green.egressId(red));
        }
    }

    /**
     * Istio's SNI names have underscores, which the JDK's {@code SNIHostName} refuses; left to Netty, neither
     * provider would send them. {@link TrafficClient} sends them with either, and a BoringSSL server takes them.
     */
    @ParameterizedTest
    @MethodSource("providers")
    void sendsIstioSniNamesWithEitherClientProvider(TlsProvider clientProvider) {
        assumeTrue(TlsProvider.OPENSSL.isAvailable(), "needs netty-tcnative for the server");
        try (TlsBackend backend = DigestingBackend.builder().echo().startTls(redIngress(TlsProvider.OPENSSL))) {
            ConnectionReport sent = client.to(backend.address()).tls(greenEgress(clientProvider), ISTIO_SNI)
                    .send(1000, 1).run();
            ConnectionReport seen = backend.awaitConnection();

            assertThat(seen.sni()).contains(ISTIO_SNI);
            assertThat(seen.ending()).as("%s", seen).isEqualTo(Ending.EOF);
            assertThat(sent.ending()).as("%s", sent).isEqualTo(Ending.EOF);
        }
    }

    /**
     * Pins a JDK limit a gateway on {@link TlsProvider#JDK} runs into: the JDK's server engine parses the SNI
     * extension itself and refuses a host name with underscores ({@code SSLProtocolException: Illegal server name},
     * alert {@code illegal_parameter}), before any SNI matcher could accept it. Netty's {@code SniHandler}, ahead of
     * the engine, reads the name fine.
     */
    @Test
    void aJdkServerRefusesIstioSniNames() {
        try (TlsBackend backend = DigestingBackend.builder().echo().startTls(redIngress(TlsProvider.JDK))) {
            ConnectionReport sent = client.to(backend.address()).tls(greenEgress(TlsProvider.select()), ISTIO_SNI)
                    .send(1000, 1).run();
            ConnectionReport seen = backend.awaitConnection();

            assertThat(seen.sni()).contains(ISTIO_SNI);
            assertThat(seen.ending()).isEqualTo(Ending.HANDSHAKE_FAILED);
            assertThat(seen.handshake().orElseThrow().refusal().detail()).contains("Illegal server name");
            assertThat(sent.ending()).isEqualTo(Ending.HANDSHAKE_FAILED);
            assertThat(sent.handshake().orElseThrow().refusal().detail().toLowerCase(java.util.Locale.ROOT))
                    .contains("illegal_parameter");
        }
    }

    /**
     * A JDK client's close_notify half-closes under TLS 1.2 and 1.3 against either server provider: the server sees
     * it and keeps sending. (A netty-tcnative client loses the tail of what follows; see {@link HalfClose}.)
     */
    @ParameterizedTest
    @MethodSource("providers")
    void closeNotifyFromAJdkClientHalfClosesAndTheServerKeepsSending(TlsProvider serverProvider) {
        try (TlsBackend backend = DigestingBackend.builder().sinkAndSource(4 * MIB, 2)
                .startTls(redIngress(serverProvider))) {
            ConnectionReport sent = client.to(backend.address()).tls(greenEgress(TlsProvider.JDK), HOST)
                    .send(1000, 1).halfClose(HalfClose.CLOSE_NOTIFY).run();
            ConnectionReport seen = backend.awaitConnection();

            assertThat(seen.closeNotifyReceived()).as("%s", seen).isTrue();
            assertThat(seen.ending()).as("%s", seen).isEqualTo(Ending.EOF);
            assertThat(seen.bytesSent()).isEqualTo(4 * MIB);
            assertThat(sent.ending()).as("%s", sent).isEqualTo(Ending.EOF);
            assertThat(sent.bytesReceived()).isEqualTo(4 * MIB);
            assertThat(sent.sha256Received()).isEqualTo(PseudoRandomBytes.sha256Hex(2, 4 * MIB));
        }
    }

    @Test
    void aRefusedClientIsReportedByTheBackendWithThePeerRefusal() {
        TlsProvider provider = TlsProvider.select();
        // Red's own egress is not the client red's ingress admits.
        SslContext wrongClient = SslContexts.forClient(red.egressIdentity(green), pki.bundles(),
                PeerAuthorizer.exactly(red.ingressId(green)), provider);
        try (TlsBackend backend = DigestingBackend.builder().echo().startTls(redIngress(provider))) {
            ConnectionReport sent = client.to(backend.address()).tls(wrongClient, HOST).send(1000, 1).run();
            ConnectionReport seen = backend.awaitConnection();

            assertThat(seen.ending()).as("%s", seen).isEqualTo(Ending.HANDSHAKE_FAILED);
            assertThat(seen.handshake().orElseThrow().reason()).isEqualTo(RefusalReason.SPIFFE_ID_MISMATCH);
            assertThat(seen.sni()).contains(HOST);
            assertThat(seen.bytesReceived()).isZero();
            // Under TLS 1.3 the client may finish its handshake before the server's refusal arrives.
            assertThat(sent.ending()).as("%s", sent).isIn(Ending.HANDSHAKE_FAILED, Ending.ERROR, Ending.RESET);
            assertThat(sent.bytesReceived()).isZero();
        }
    }

    @Test
    void aClientRefusingTheServerReportsTheRefusal() {
        TlsProvider provider = TlsProvider.select();
        SslContext expectsSomeoneElse = SslContexts.forClient(green.egressIdentity(red), pki.bundles(),
                PeerAuthorizer.exactly(red.egressId(green)), provider);
        try (TlsBackend backend = DigestingBackend.builder().echo().startTls(redIngress(provider))) {
            ConnectionReport sent = client.to(backend.address()).tls(expectsSomeoneElse, HOST).send(1000, 1).run();

            assertThat(sent.ending()).as("%s", sent).isEqualTo(Ending.HANDSHAKE_FAILED);
            assertThat(sent.handshake().orElseThrow().reason()).isEqualTo(RefusalReason.SPIFFE_ID_MISMATCH);
            assertThat(sent.cause()).containsInstanceOf(SSLException.class);
            assertThat(backend.awaitConnection().ending()).isEqualTo(Ending.HANDSHAKE_FAILED);
        }
    }

    @Test
    void aStuckConnectionEndsAtTheTimeoutWithWhatArrived() {
        // Neither side ends its output: the echo waits for the client's end, the client for the echo's.
        try (DigestingBackend backend = DigestingBackend.echo()) {
            ConnectionReport sent = client.to(backend.address()).send(5000, 1).halfClose(HalfClose.NONE)
                    .timeout(Duration.ofMillis(500)).run();

            assertThat(sent.ending()).isEqualTo(Ending.TIMEOUT);
            assertThat(sent.bytesReceived()).isEqualTo(5000);
            assertThat(sent.sha256Received()).isEqualTo(sent.sha256Sent());
            assertThat(sent.inputEnded()).isFalse();
            assertThat(sent.duration()).isBetween(Duration.ofMillis(400), Duration.ofSeconds(5));
            ConnectionReport seen = backend.awaitConnection();
            assertThat(seen.ending()).as("%s", seen).isIn(Ending.EOF, Ending.RESET);
        }
    }
}
