package io.fedgate.core.tls;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import io.fedgate.core.pki.CertificateAuthority;
import io.fedgate.core.pki.IssuedCertificate;
import io.fedgate.core.pki.KeyType;
import io.fedgate.core.pki.KeyUsage;
import io.fedgate.core.spiffe.SpiffeId;
import io.fedgate.core.testing.FederationPki;
import io.fedgate.core.demo.Mesh;
import io.fedgate.core.probe.HandshakeOutcome;
import io.fedgate.core.testing.LoopbackTls;
import io.fedgate.core.testing.TestSslContexts;
import io.fedgate.core.trust.PeerAuthorizer;
import io.fedgate.core.trust.RefusalReason;
import io.fedgate.core.trust.SpiffeTrustManager;
import io.fedgate.core.trust.SvidVerifier;
import io.netty.handler.ssl.SslContext;

/**
 * Real handshakes over loopback: red's ingress for green (server) against green's egress for red (client) and
 * against clients presenting broken or foreign certificates, with each available TLS provider. The server must
 * refuse each bad client inside the handshake and report its own reason.
 */
class MutualTlsHandshakeTest {
    private static final String INGRESS_HOST = "ratings.bookinfo.svc.green-mesh-exports.local";

    private static FederationPki pki;
    private static Mesh red;
    private static Mesh green;

    @BeforeAll
    static void mintCertificates() {
        pki = FederationPki.create();
        red = pki.red();
        green = pki.green();
    }

    static List<TlsProvider> providers() {
        return TlsProvider.available();
    }

    /** The ingress of red for peer green: accepts only green's egress for red. */
    private static LoopbackTls redIngress(TlsProvider provider) {
        return LoopbackTls.start(SslContexts.forServer(red.ingressIdentity(green), pki.bundles(),
                green.egressAuthorizer(red), provider));
    }

    /** How green's egress checks red's ingress: the service's serviceAccounts. */
    private static SpiffeTrustManager greenEgressTrust() {
        return new SpiffeTrustManager(new SvidVerifier(pki.bundles()), PeerAuthorizer.exactly(red.ingressId(green)));
    }

    @ParameterizedTest
    @MethodSource("providers")
    void acceptsThePeersEgressAndRelaysBytes(TlsProvider provider) {
        SslContext client = SslContexts.forClient(green.egressIdentity(red), pki.bundles(),
                PeerAuthorizer.exactly(red.ingressId(green)), provider);
        try (LoopbackTls tls = redIngress(provider);
             LoopbackTls.Client connection = tls.connect(client, INGRESS_HOST)) {
            HandshakeOutcome clientSide = connection.awaitHandshake();
            assertThat(clientSide.isSuccess()).as("%s", clientSide).isTrue();
            assertThat(clientSide.peer()).isEqualTo(red.ingressId(green));
            assertThat(clientSide.protocol()).isEqualTo("TLSv1.3");
            assertThat(connection.echo("ping")).isEqualTo("ping");

            HandshakeOutcome serverSide = tls.awaitServerHandshake();
            assertThat(serverSide.isSuccess()).as("%s", serverSide).isTrue();
            assertThat(serverSide.peer()).isEqualTo(green.egressId(red));
        }
    }

    @ParameterizedTest
    @MethodSource("providers")
    void acceptsTls12Clients(TlsProvider provider) throws Exception {
        SslContext client = SslContexts.clientBuilder(green.egressIdentity(red), greenEgressTrust(), provider)
                .protocols("TLSv1.2").build();
        try (LoopbackTls tls = redIngress(provider);
             LoopbackTls.Client connection = tls.connect(client, INGRESS_HOST)) {
            assertThat(connection.awaitHandshake().protocol()).isEqualTo("TLSv1.2");
            assertThat(connection.echo("ping")).isEqualTo("ping");
            assertThat(tls.awaitServerHandshake().peer()).isEqualTo(green.egressId(red));
        }
    }

    static Stream<Object[]> providersAndProtocols() {
        return providers().stream().flatMap(provider -> Stream.of(
                new Object[] {provider, "TLSv1.3"}, new Object[] {provider, "TLSv1.2"}));
    }

    @ParameterizedTest(name = "[{0}] {1}")
    @MethodSource("providersAndProtocols")
    void verifiesEveryConnectionAsSessionsAreNeverResumed(TlsProvider provider, String protocol) throws Exception {
        AtomicInteger serverChecks = new AtomicInteger();
        AtomicInteger clientChecks = new AtomicInteger();
        PeerAuthorizer server = engine -> {
            serverChecks.incrementAndGet();
            return Set.of(green.egressId(red));
        };
        PeerAuthorizer client = engine -> {
            clientChecks.incrementAndGet();
            return Set.of(red.ingressId(green));
        };
        SslContext clientContext = SslContexts.withoutResumption(SslContexts.clientBuilder(green.egressIdentity(red),
                new SpiffeTrustManager(new SvidVerifier(pki.bundles()), client), provider).protocols(protocol).build());
        try (LoopbackTls tls = LoopbackTls.start(SslContexts.forServer(red.ingressIdentity(green), pki.bundles(),
                server, provider))) {
            for (int i = 1; i <= 3; i++) {
                // The same client context to the same host and port: what a resuming client would resume.
                try (LoopbackTls.Client connection = tls.connect(clientContext, INGRESS_HOST)) {
                    assertThat(connection.awaitHandshake().protocol()).isEqualTo(protocol);
                    assertThat(connection.echo("ping " + i)).isEqualTo("ping " + i);
                    assertThat(tls.awaitServerHandshake().isSuccess()).isTrue();
                }
                assertThat(serverChecks).hasValue(i);
                assertThat(clientChecks).hasValue(i);
            }
        }
    }

    static Stream<Object[]> refusedClients() {
        return providers().stream().flatMap(provider -> Stream.of(
                new Object[] {provider, "wrong SPIFFE ID from the right CA", RefusalReason.SPIFFE_ID_MISMATCH},
                new Object[] {provider, "right SPIFFE ID from a foreign CA", RefusalReason.UNTRUSTED_CHAIN},
                new Object[] {provider, "trust domain without bundle", RefusalReason.UNTRUSTED_TRUST_DOMAIN},
                new Object[] {provider, "expired", RefusalReason.CERTIFICATE_EXPIRED},
                new Object[] {provider, "not yet valid", RefusalReason.CERTIFICATE_NOT_YET_VALID},
                new Object[] {provider, "CA certificate as leaf", RefusalReason.LEAF_IS_CA},
                new Object[] {provider, "two URI SANs", RefusalReason.MULTIPLE_URI_SANS},
                new Object[] {provider, "no URI SAN", RefusalReason.NO_URI_SAN},
                new Object[] {provider, "keyCertSign on the leaf", RefusalReason.BAD_KEY_USAGE},
                new Object[] {provider, "no digitalSignature on the leaf", RefusalReason.BAD_KEY_USAGE},
                new Object[] {provider, "RSA leaf with the wrong SPIFFE ID", RefusalReason.SPIFFE_ID_MISMATCH}));
    }

    @ParameterizedTest(name = "[{0}] {1} -> {2}")
    @MethodSource("refusedClients")
    void serverRefusesBadClientWithItsOwnReason(TlsProvider provider, String scenario, RefusalReason expected) {
        Presented presented = presented(scenario);
        // A BoringSSL client will not sign with a key whose certificate lacks digitalSignature (it aborts with
        // KEY_USAGE_BIT_INCORRECT and sends internal_error), so that certificate reaches servers from JDK clients only.
        TlsProvider clientProvider = scenario.startsWith("no digitalSignature") ? TlsProvider.JDK : provider;
        SslContext client = TestSslContexts.clientPresenting(presented.certificate, greenEgressTrust(), clientProvider);
        try (LoopbackTls tls = redIngress(provider);
             LoopbackTls.Client connection = tls.connect(client, INGRESS_HOST)) {
            HandshakeOutcome serverSide = tls.awaitServerHandshake();
            assertThat(serverSide.isSuccess()).as("%s", serverSide).isFalse();
            assertThat(serverSide.reason()).as("%s", serverSide.refusal()).isEqualTo(expected);
            assertThat(serverSide.refusal().message()).startsWith(expected.code() + ": ");
            for (String named : presented.namedInMessage) {
                assertThat(serverSide.refusal().message()).contains(named);
            }
            // With TLS 1.3 the client finishes its handshake before the server checks it, so the client learns of
            // the refusal from the alert that closes the connection right after.
            HandshakeOutcome clientSide = connection.awaitHandshake();
            Throwable closed = clientSide.isSuccess() ? connection.awaitClosed() : clientSide.cause();
            assertThat(closed).isNotNull();
            if (clientProvider == provider) {
                // (BoringSSL's native key usage check sends illegal_parameter; not worth a mixed-provider table.)
                assertThat(closed.getMessage()).contains(alertSent(provider, expected));
            }
        }
    }

    @ParameterizedTest
    @MethodSource("providers")
    void refusesTls12ClientsInsideTheHandshake(TlsProvider provider) throws Exception {
        IssuedCertificate wrongId = green.ca().issueSvid(green.id("default"));
        SslContext client = io.netty.handler.ssl.SslContextBuilder.forClient()
                .sslProvider(provider.sslProvider())
                .protocols("TLSv1.2")
                .keyManager(wrongId.privateKey(), wrongId.chain())
                .trustManager(greenEgressTrust())
                .endpointIdentificationAlgorithm(null)
                .build();
        try (LoopbackTls tls = redIngress(provider);
             LoopbackTls.Client connection = tls.connect(client, INGRESS_HOST)) {
            assertThat(tls.awaitServerHandshake().reason()).isEqualTo(RefusalReason.SPIFFE_ID_MISMATCH);
            // Unlike TLS 1.3, the server checks the client before it finishes, so the client's handshake fails.
            HandshakeOutcome clientSide = connection.awaitHandshake();
            assertThat(clientSide.isSuccess()).isFalse();
            assertThat(clientSide.refusal().detail()).contains(alertSent(provider, RefusalReason.SPIFFE_ID_MISMATCH));
        }
    }

    @ParameterizedTest
    @MethodSource("providers")
    void serverRefusesClientWithoutCertificate(TlsProvider provider) {
        SslContext client = TestSslContexts.clientWithoutCertificate(greenEgressTrust(), provider);
        try (LoopbackTls tls = redIngress(provider);
             LoopbackTls.Client connection = tls.connect(client, INGRESS_HOST)) {
            HandshakeOutcome serverSide = tls.awaitServerHandshake();
            assertThat(serverSide.isSuccess()).isFalse();
            assertThat(serverSide.reason()).as("%s", serverSide.cause()).isEqualTo(RefusalReason.NO_PEER_CERTIFICATE);
            assertThat(serverSide.refusal().message()).isEqualTo(
                    "no-peer-certificate: peer presented no certificate, expected an X509-SVID");
            assertThat(connection.awaitHandshake().isSuccess()).isTrue();
            assertThat(connection.awaitClosed().getMessage())
                    .contains(alertSent(provider, RefusalReason.NO_PEER_CERTIFICATE));
        }
    }

    @ParameterizedTest
    @MethodSource("providers")
    void clientRefusesServerOutsideTheAllowedSet(TlsProvider provider) {
        Set<SpiffeId> serviceAccounts = Set.of(red.id("ingress-blue-mesh-service-account"), red.id("other"));
        SslContext client = SslContexts.forClient(green.egressIdentity(red), pki.bundles(),
                PeerAuthorizer.anyOf(serviceAccounts), provider);
        try (LoopbackTls tls = redIngress(provider);
             LoopbackTls.Client connection = tls.connect(client, INGRESS_HOST)) {
            HandshakeOutcome clientSide = connection.awaitHandshake();
            assertThat(clientSide.isSuccess()).isFalse();
            assertThat(clientSide.reason()).isEqualTo(RefusalReason.SPIFFE_ID_MISMATCH);
            assertThat(clientSide.refusal().message()).isEqualTo("spiffe-id-mismatch: presented "
                    + red.ingressId(green) + ", expected one of [" + red.id("ingress-blue-mesh-service-account")
                    + ", " + red.id("other") + "]");
            // The server only hears the client's alert: the peer refused it, the peer's side says why.
            HandshakeOutcome serverSide = tls.awaitServerHandshake();
            assertThat(serverSide.reason()).isEqualTo(RefusalReason.REFUSED_BY_PEER);
            assertThat(serverSide.refusal().detail()).contains(alertSent(provider, RefusalReason.SPIFFE_ID_MISMATCH));
        }
    }

    @ParameterizedTest
    @MethodSource("providers")
    void clientChoosesAllowedIdsByTheHostItDialled(TlsProvider provider) {
        Map<String, Set<SpiffeId>> byHost = Map.of(INGRESS_HOST, Set.of(red.ingressId(green)));
        SslContext client = SslContexts.forClient(green.egressIdentity(red), pki.bundles(),
                PeerAuthorizer.byPeerHost(byHost::get), provider);
        try (LoopbackTls tls = redIngress(provider)) {
            try (LoopbackTls.Client known = tls.connect(client, INGRESS_HOST)) {
                assertThat(known.awaitHandshake().isSuccess()).isTrue();
                assertThat(known.echo("pong")).isEqualTo("pong");
            }
            try (LoopbackTls.Client unknown = tls.connect(client, "details.bookinfo.svc.green-mesh-exports.local")) {
                HandshakeOutcome clientSide = unknown.awaitHandshake();
                assertThat(clientSide.reason()).isEqualTo(RefusalReason.SPIFFE_ID_MISMATCH);
                assertThat(clientSide.refusal().detail()).isEqualTo("presented " + red.ingressId(green)
                        + ", expected no identity (none is allowed for peer host details.bookinfo.svc.green-mesh-exports.local)");
            }
        }
    }

    /** The alert a refused client receives, as its provider's exception names it. */
    private static String alertSent(TlsProvider server, RefusalReason reason) {
        if (server == TlsProvider.JDK) {
            // The JDK sends certificate_unknown whatever its trust manager objected to.
            return reason == RefusalReason.NO_PEER_CERTIFICATE ? "bad_certificate" : "certificate_unknown";
        }
        switch (reason) {
            case NO_PEER_CERTIFICATE:
                return "ALERT_CERTIFICATE_REQUIRED";
            case UNTRUSTED_CHAIN:
            case UNTRUSTED_TRUST_DOMAIN:
                return "ALERT_UNKNOWN_CA";
            case CERTIFICATE_EXPIRED:
            case CERTIFICATE_NOT_YET_VALID:
                return "ALERT_CERTIFICATE_EXPIRED";
            case LEAF_IS_CA:
            case BAD_KEY_USAGE:
                return "ALERT_UNSUPPORTED_CERTIFICATE";
            default:
                return "ALERT_BAD_CERTIFICATE";
        }
    }

    /** A client certificate for a scenario, and the strings the server's refusal must name. */
    private static final class Presented {
        final IssuedCertificate certificate;
        final List<String> namedInMessage;

        Presented(IssuedCertificate certificate, String... namedInMessage) {
            this.certificate = certificate;
            this.namedInMessage = List.of(namedInMessage);
        }
    }

    private static Presented presented(String scenario) {
        SpiffeId egress = green.egressId(red);
        CertificateAuthority ca = green.ca();
        Instant now = Instant.now();
        switch (scenario) {
            case "wrong SPIFFE ID from the right CA": {
                SpiffeId other = green.id("default");
                return new Presented(ca.issueSvid(other), "presented " + other, "expected " + egress);
            }
            case "RSA leaf with the wrong SPIFFE ID": {
                SpiffeId other = green.id("rsa");
                return new Presented(ca.newSvid(other).keyType(KeyType.RSA_2048).issue(),
                        "presented " + other, "expected " + egress);
            }
            case "right SPIFFE ID from a foreign CA":
                // Same trust domain and the same CA name as green's real root; only the key differs.
                return new Presented(CertificateAuthority.createRoot(green.trustDomain()).issueSvid(egress),
                        "presented " + egress, green.trustDomain(), "CN=Root CA,O=green-mesh.local");
            case "trust domain without bundle": {
                // The server lists no acceptable CAs, so the client presents its certificate and the refusal
                // can name the trust domain that has no bundle.
                SpiffeId blue = SpiffeId.ofServiceAccount("blue-mesh.local", "blue-mesh-system", "egress");
                return new Presented(CertificateAuthority.createRoot("blue-mesh.local").issueSvid(blue),
                        "presented " + blue, "blue-mesh.local");
            }
            case "expired":
                return new Presented(ca.newSvid(egress).notBefore(now.minus(Duration.ofDays(2)))
                        .notAfter(now.minus(Duration.ofDays(1))).issue(), "presented " + egress, "expired at");
            case "not yet valid":
                return new Presented(ca.newSvid(egress).notBefore(now.plus(Duration.ofDays(1)))
                        .notAfter(now.plus(Duration.ofDays(2))).issue(), "presented " + egress, "not valid before");
            case "CA certificate as leaf":
                return new Presented(ca.newSvid(egress).ca(true).issue(), "presented " + egress, "CA=true");
            case "two URI SANs":
                return new Presented(ca.newSvid(egress).addUriSan(green.id("second").toString()).issue(),
                        egress.toString(), green.id("second").toString(), "exactly one");
            case "no URI SAN":
                return new Presented(ca.newLeaf().dnsSans("egress-red-mesh.green-mesh-system.svc").issue(),
                        "without URI SAN", "expected exactly one SPIFFE ID");
            case "keyCertSign on the leaf":
                return new Presented(ca.newSvid(egress).keyUsage(KeyUsage.DIGITAL_SIGNATURE, KeyUsage.KEY_CERT_SIGN)
                        .issue(), "presented " + egress, "keyCertSign");
            case "no digitalSignature on the leaf":
                // BoringSSL checks this natively before asking the trust manager, so its refusal cannot name the ID.
                return new Presented(ca.newSvid(egress).keyUsage(KeyUsage.KEY_ENCIPHERMENT).issue(),
                        "expected digitalSignature");
            default:
                throw new IllegalArgumentException(scenario);
        }
    }
}
