package io.fedgate.egress;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
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
 * The egress's side of rotation under load, with nothing but file changes: while red's workloads connect back to back
 * through red's egress to green's ingress, (1) red's root bundle gets a new root next to the old one and the workloads
 * switch to certificates from it, (2) the egress's own certificate and key are replaced. Every connection succeeds
 * with its echo intact: the egress's local TLS context follows each reload while its routes to green stay up.
 */
class EgressRotationIT {
    private static final String IMPORT_HOST = "ratings.bookinfo.svc.green-mesh-imports.local";
    private static final String SNI = SniName.outbound(9080, IMPORT_HOST);
    /** What a gateway logs when a reload applied. */
    private static final Pattern RELOADED = Pattern.compile("reloaded: peers=");
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final int MAX_CONNECTIONS = 3000;
    private static final Duration MAX_LOAD = Duration.ofSeconds(90);

    @TempDir
    Path dir;

    private DigestingBackend ratings;
    private GatewayProcess greenIngress;
    private GatewayProcess redEgress;
    private TrafficClient client;

    @AfterEach
    void stop() {
        if (client != null) {
            client.close();
        }
        for (GatewayProcess process : new GatewayProcess[] {redEgress, greenIngress}) {
            if (process != null) {
                process.close();
            }
        }
        if (ratings != null) {
            ratings.close();
        }
    }

    @Test
    void localConnectionsKeepSucceedingThroughRootAndCertificateRotation() throws Exception {
        FederationFixture federation = FederationFixture.create(dir);
        Mesh red = federation.pki().red();
        Mesh green = federation.pki().green();
        ratings = DigestingBackend.echo();
        FederationFixture.MeshConfig greenConfig = federation.greenConfig()
                .service(ServiceSpec.named("bookinfo", "ratings").port("http", 9080).endpoint(ratings.address()))
                .export("bookinfo", "ratings");
        greenConfig.write();
        greenIngress = GatewayProcess.jar(GatewayProcess.ingressJar()).name("ingress-red-mesh").logDirectory(dir)
                .args(federation.ingress(green, red).args(greenConfig)).start();
        InetSocketAddress ingressService = greenIngress.awaitListening("service", WAIT);
        InetSocketAddress ingressDiscovery = greenIngress.awaitListening("discovery", WAIT);

        FederationFixture.MeshConfig redConfig = federation.redConfig().peerIngress(ingressService)
                .peerDiscoveryPort(ingressDiscovery.getPort()).importFromPeer("bookinfo", "ratings");
        redConfig.write();
        FederationFixture.GatewayFiles egressFiles = federation.egress(red, green);
        redEgress = GatewayProcess.jar(GatewayProcess.egressJar()).name("egress-green-mesh").logDirectory(dir)
                .args(egressFiles.args(redConfig)).start();
        redEgress.awaitReady(WAIT);
        redEgress.awaitLog(Pattern.compile("services updated: peer=green-mesh services=1 "), WAIT);
        InetSocketAddress service = redEgress.awaitListening("service", WAIT);
        client = TrafficClient.create();

        AtomicReference<SslContext> workload = new AtomicReference<>(workload(red, green, red.ca(), List.of(red.ca())));
        EchoLoad load = EchoLoad.start(() -> client.to(service).tls(workload.get(), SNI), 16 << 10, MAX_CONNECTIONS,
                MAX_LOAD);

        // (1) red's new root next to the old one in the egress's root-cert.pem; then the workloads move to it.
        CertificateAuthority newRedRoot = CertificateAuthority.createRoot(red.trustDomain());
        int mark = redEgress.logLength();
        Files.writeString(egressFiles.rootCert(), red.ca().rootCertificatePem() + newRedRoot.rootCertificatePem());
        redEgress.awaitLog(RELOADED, mark, WAIT);
        workload.set(workload(red, green, newRedRoot, List.of(red.ca(), newRedRoot)));
        Thread.sleep(1000);

        // (2) the egress's own certificate and key (from the old root, which green trusts), replaced in place.
        IssuedCertificate newEgress = red.ca().issueSvid(red.egressId(green));
        mark = redEgress.logLength();
        Files.writeString(egressFiles.key(), newEgress.privateKeyPem());
        Files.writeString(egressFiles.certChain(), newEgress.certChainPem());
        redEgress.awaitLog(RELOADED, mark, WAIT);
        Thread.sleep(1000);

        int connections = load.stop(MAX_LOAD.plusSeconds(30));
        assertThat(load.failures()).as("failed connections of %d", connections).isEmpty();
        assertThat(connections).as("connections during the rotations").isGreaterThan(20);
    }

    /**
     * A red workload's client context: an SVID from {@code issuer}, trusting {@code roots} for red's egress to
     * {@code green}.
     */
    private static SslContext workload(Mesh red, Mesh green, CertificateAuthority issuer,
                                       List<CertificateAuthority> roots) {
        IssuedCertificate svid = issuer.issueSvid(red.id("productpage"));
        TrustBundles bundles = TrustBundles.builder()
                .add(red.trustDomain(), roots.stream().map(CertificateAuthority::root).toList()).build();
        return SslContexts.forClient(GatewayIdentity.of(svid.chain(), svid.privateKey(), List.of(issuer.root())),
                bundles, PeerAuthorizer.exactly(red.egressId(green)), TlsProvider.preferred());
    }
}
