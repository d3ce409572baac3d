package io.fedgate.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.netty.handler.ssl.SslContext;

import io.fedgate.core.demo.GatewayProcess;
import io.fedgate.core.demo.Mesh;
import io.fedgate.core.demo.ServiceSpec;
import io.fedgate.core.pki.CertificateAuthority;
import io.fedgate.core.pki.IssuedCertificate;
import io.fedgate.core.probe.ConnectionReport;
import io.fedgate.core.probe.DigestingBackend;
import io.fedgate.core.probe.TrafficClient;
import io.fedgate.core.routing.SniName;
import io.fedgate.core.testing.EchoLoad;
import io.fedgate.core.testing.FederationFixture;
import io.fedgate.core.tls.GatewayIdentity;
import io.fedgate.core.tls.SslContexts;
import io.fedgate.core.tls.TlsProvider;
import io.fedgate.core.trust.PeerAuthorizer;
import io.fedgate.core.trust.TrustBundles;

/**
 * Certificate and root rotation under load, on the ingress as its own process, with nothing but file changes (the
 * watcher reloads): while connections run back to back, (1) red's ConfigMap for green gets green's new root next to
 * the old one, and green's egress switches to a certificate from the new root; (2) the ingress's own certificate
 * and key are replaced; (3) the old green root is dropped. Every connection, before, during and after, succeeds
 * with its echo intact.
 */
class IngressRotationIT {
    private static final String SNI = SniName.outbound(9080, "ratings.bookinfo.svc.green-mesh-exports.local");
    /** What a gateway logs when a reload applied. */
    private static final Pattern RELOADED = Pattern.compile("reloaded: peers=");
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final int MAX_CONNECTIONS = 3000;
    private static final Duration MAX_LOAD = Duration.ofSeconds(90);

    @TempDir
    Path dir;

    private DigestingBackend ratings;
    private GatewayProcess ingress;
    private TrafficClient client;

    @AfterEach
    void stop() {
        if (client != null) {
            client.close();
        }
        if (ingress != null) {
            ingress.close();
            ItLogs.keep(ingress, IngressRotationIT.class);
        }
        if (ratings != null) {
            ratings.close();
        }
    }

    @Test
    void connectionsKeepSucceedingThroughRootAndCertificateRotation() throws Exception {
        FederationFixture federation = FederationFixture.create(dir);
        Mesh red = federation.pki().red();
        Mesh green = federation.pki().green();
        ratings = DigestingBackend.echo();
        FederationFixture.MeshConfig redConfig = federation.redConfig()
                .service(ServiceSpec.named("bookinfo", "ratings").port("http", 9080).endpoint(ratings.address()))
                .export("bookinfo", "ratings");
        redConfig.write();
        FederationFixture.GatewayFiles ingressFiles = federation.ingress(red, green);
        ingress = GatewayProcess.jar(GatewayProcess.ingressJar()).name("ingress-green-mesh").logDirectory(dir)
                .args(ingressFiles.args(redConfig)).start();
        ingress.awaitReady(WAIT);
        var service = ingress.awaitListening("service", WAIT);
        client = TrafficClient.create();

        AtomicReference<SslContext> greenEgress = new AtomicReference<>(green.egressClientContext(red));
        EchoLoad load = EchoLoad.start(() -> client.to(service).tls(greenEgress.get(), SNI), 16 << 10, MAX_CONNECTIONS,
                MAX_LOAD);

        // (1) green's new root next to the old one, then green's egress on a certificate from the new root.
        CertificateAuthority newGreenRoot = CertificateAuthority.createRoot(green.trustDomain());
        int mark = ingress.logLength();
        redConfig.peer().peerRoots(green.ca().rootCertificatePem() + newGreenRoot.rootCertificatePem());
        redConfig.write();
        ingress.awaitLog(RELOADED, mark, WAIT);
        IssuedCertificate newGreenEgress = newGreenRoot.issueSvid(green.egressId(red));
        greenEgress.set(SslContexts.forClient(GatewayIdentity.of(newGreenEgress.chain(), newGreenEgress.privateKey(),
                        List.of(newGreenRoot.root())),
                TrustBundles.builder().add(green.trustDomain(), newGreenRoot.root()).add(red.trustDomain(), red.ca().root())
                        .build(), PeerAuthorizer.exactly(red.ingressId(green)), TlsProvider.preferred()));
        Thread.sleep(1000);

        // (2) the ingress's own certificate and key, replaced in place (key first; a reload between the two files
        // is refused as a mismatch and the next one applies).
        IssuedCertificate newIngress = red.ca().issueSvid(red.ingressId(green));
        mark = ingress.logLength();
        Files.writeString(ingressFiles.key(), newIngress.privateKeyPem());
        Files.writeString(ingressFiles.certChain(), newIngress.certChainPem());
        ingress.awaitLog(RELOADED, mark, WAIT);
        Thread.sleep(1000);

        // (3) the old green root dropped.
        mark = ingress.logLength();
        redConfig.peer().peerRoots(newGreenRoot.rootCertificatePem());
        redConfig.write();
        ingress.awaitLog(RELOADED, mark, WAIT);
        Thread.sleep(1000);

        int connections = load.stop(MAX_LOAD.plusSeconds(30));
        assertThat(load.failures()).as("failed connections of %d", connections).isEmpty();
        assertThat(connections).as("connections during the rotations").isGreaterThan(20);
        // The old green certificate is no longer trusted: the rotation really happened.
        ConnectionReport old = client.to(service).tls(green.egressClientContext(red), SNI).send(16, 1).run();
        assertThat(old.bytesReceived()).isZero();
    }
}
