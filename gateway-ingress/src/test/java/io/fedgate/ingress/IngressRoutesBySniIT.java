package io.fedgate.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.netty.handler.ssl.SslContext;

import io.fedgate.core.pki.IssuedCertificate;
import io.fedgate.core.routing.SniName;
import io.fedgate.core.spiffe.SpiffeId;
import io.fedgate.core.probe.ConnectionReport;
import io.fedgate.core.probe.DigestingBackend;
import io.fedgate.core.probe.Ending;
import io.fedgate.core.testing.FederationFixture;
import io.fedgate.core.testing.FederationPki;
import io.fedgate.core.demo.GatewayProcess;
import io.fedgate.core.demo.ServiceSpec;
import io.fedgate.core.probe.TlsBackend;
import io.fedgate.core.probe.TrafficClient;
import io.fedgate.core.tls.GatewayIdentity;
import io.fedgate.core.tls.SslContexts;
import io.fedgate.core.tls.TlsProvider;
import io.fedgate.core.trust.PeerAuthorizer;

/**
 * The ingress, as its own process, routes by server name: a pass-through service sees the peer's own ClientHello
 * and completes its own mTLS with it; each port of a two-port service is reached through its
 * {@code outbound_.<port>_._.} name; a dead endpoint is skipped for the next one, and a cluster with no live endpoint
 * closes the downstream at once.
 */
class IngressRoutesBySniIT {
    private static final String SUFFIX = ".bookinfo.svc.green-mesh-exports.local";

    @TempDir
    static Path dir;

    private static FederationFixture federation;
    private static FederationPki pki;
    private static TlsBackend productpage;
    private static DigestingBackend detailsHttp;
    private static DigestingBackend detailsExtra;
    private static DigestingBackend reviews;
    private static DigestingBackend dead;
    private static GatewayProcess ingress;
    private static TrafficClient client;
    private static InetSocketAddress service;
    private static SpiffeId productpageId;

    @BeforeAll
    static void start() {
        federation = FederationFixture.create(dir);
        pki = federation.pki();
        productpageId = pki.red().id("productpage");
        IssuedCertificate productpageSvid = pki.red().ca().issueSvid(productpageId);
        GatewayIdentity productpageIdentity = GatewayIdentity.of(productpageSvid.chain(), productpageSvid.privateKey(),
                List.of(pki.red().ca().root()));
        productpage = DigestingBackend.builder().echo().startTls(SslContexts.forServer(productpageIdentity,
                pki.bundles(), PeerAuthorizer.exactly(pki.green().egressId(pki.red())), TlsProvider.preferred()));
        detailsHttp = DigestingBackend.echo();
        detailsExtra = DigestingBackend.echo();
        reviews = DigestingBackend.echo();
        dead = DigestingBackend.echo();
        dead.stopAccepting();

        FederationFixture.MeshConfig red = federation.redConfig()
                .service(ServiceSpec.named("bookinfo", "productpage").port("https", 9443).tlsPassthrough()
                        .endpoint(productpage.address()))
                .service(ServiceSpec.named("bookinfo", "details").port("http", 9080).port("tcp-extra", 9443)
                        .endpoint("127.0.0.1", Map.of("http", detailsHttp.address().getPort(),
                                "tcp-extra", detailsExtra.address().getPort())))
                .service(ServiceSpec.named("bookinfo", "reviews").port("http", 9080)
                        .endpoint(dead.address()).endpoint(reviews.address()))
                .service(ServiceSpec.named("bookinfo", "ratings").port("http", 9080).endpoint(dead.address()))
                .export("bookinfo", "productpage").export("bookinfo", "details")
                .export("bookinfo", "reviews").export("bookinfo", "ratings");
        red.write();
        ingress = GatewayProcess.jar(GatewayProcess.ingressJar()).name("ingress-green-mesh").logDirectory(dir)
                .args(federation.ingress(pki.red(), pki.green()).args(red)).start();
        service = ingress.awaitListening("service", Duration.ofSeconds(30));
        client = TrafficClient.create();
    }

    @AfterAll
    static void stop() {
        if (client != null) {
            client.close();
        }
        if (ingress != null) {
            ingress.close();
            ItLogs.keep(ingress, IngressRoutesBySniIT.class);
        }
        for (DigestingBackend backend : new DigestingBackend[] {productpage, detailsHttp, detailsExtra, reviews, dead}) {
            if (backend != null) {
                backend.close();
            }
        }
    }

    private static SslContext greenEgress(PeerAuthorizer server) {
        return pki.green().egressClientContext(pki.red(), server);
    }

    private static SslContext greenEgress() {
        return pki.green().egressClientContext(pki.red());
    }

    private static void assertEchoed(ConnectionReport report, long bytes) {
        assertThat(report.cause()).as("%s", report).isEmpty();
        assertThat(report.bytesReceived()).as("%s", report).isEqualTo(bytes);
        assertThat(report.sha256Received()).isEqualTo(report.sha256Sent());
    }

    @Test
    void passThroughServiceTerminatesThePeersOwnTls() {
        String sni = SniName.outbound(9443, "productpage" + SUFFIX);

        // The client authenticates the backend, not the ingress: the ingress never touches this TLS session.
        ConnectionReport report = client.to(service).tls(greenEgress(PeerAuthorizer.exactly(productpageId)), sni)
                .send(4 << 20, 11).run();
        ConnectionReport backend = productpage.awaitConnection();

        assertEchoed(report, 4 << 20);
        assertThat(report.peer()).contains(productpageId);
        assertThat(backend.sni()).contains(sni);
        assertThat(backend.peer()).contains(pki.green().egressId(pki.red()));
        assertThat(backend.sha256Received()).isEqualTo(report.sha256Sent());
    }

    @Test
    void eachPortOfATwoPortServiceIsReachedByItsOwnName() {
        ConnectionReport http = client.to(service).tls(greenEgress(), SniName.outbound(9080, "details" + SUFFIX))
                .send(100_000, 21).run();
        ConnectionReport extra = client.to(service).tls(greenEgress(), SniName.outbound(9443, "details" + SUFFIX))
                .send(200_000, 22).run();

        assertEchoed(http, 100_000);
        assertEchoed(extra, 200_000);
        assertThat(detailsHttp.awaitConnection().sha256Received()).isEqualTo(http.sha256Sent());
        assertThat(detailsExtra.awaitConnection().sha256Received()).isEqualTo(extra.sha256Sent());
    }

    @Test
    void plainNameOfATwoPortServiceIsRefusedAskingForAPort() {
        int from = ingress.logLength();

        ConnectionReport report = client.to(service).tls(greenEgress(), "details" + SUFFIX).send(10, 1).run();

        assertThat(report.bytesReceived()).isZero();
        ingress.awaitLog(Pattern.compile("refused listener=service .* sni=details" + Pattern.quote(SUFFIX)
                + " peer=unknown reason=sni-needs-port: .*outbound_\\.9080_\\._\\.details"), from, Duration.ofSeconds(10));
    }

    @Test
    void deadEndpointIsSkippedForTheNextOne() {
        // Round robin starts each connection at the next endpoint; over two connections one starts at the dead one.
        for (int i = 0; i < 2; i++) {
            assertEchoed(client.to(service).tls(greenEgress(), SniName.outbound(9080, "reviews" + SUFFIX))
                    .send(50_000, 30 + i).run(), 50_000);
        }
        assertThat(reviews.awaitConnections(2, Duration.ofSeconds(10))).hasSize(2);
        ingress.awaitLog(Pattern.compile("upstream connect failed: .* cluster=outbound\\|9080\\|\\|reviews\\.bookinfo"
                + "\\.svc\\.cluster\\.local endpoint=127\\.0\\.0\\.1:" + dead.address().getPort()
                + " \\(connection refused\\)"), Duration.ofSeconds(10));
    }

    @Test
    void clusterWithoutLiveEndpointClosesTheDownstreamPromptly() {
        int from = ingress.logLength();

        ConnectionReport report = client.to(service).tls(greenEgress(), SniName.outbound(9080, "ratings" + SUFFIX))
                .send(10_000, 40).timeout(Duration.ofSeconds(20)).run();

        assertThat(report.ending()).isNotEqualTo(Ending.TIMEOUT);
        assertThat(report.duration()).isLessThan(Duration.ofSeconds(5));
        assertThat(report.bytesReceived()).isZero();
        ingress.awaitLog(Pattern.compile("refused listener=service .* peer=green-mesh reason=upstream-unreachable: "
                + "outbound\\|9080\\|\\|ratings\\.bookinfo\\.svc\\.cluster\\.local: no endpoint reachable"), from,
                Duration.ofSeconds(10));
    }
}
