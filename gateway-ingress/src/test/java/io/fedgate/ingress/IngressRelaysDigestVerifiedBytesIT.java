package io.fedgate.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.netty.handler.ssl.SslContext;

import io.fedgate.core.routing.SniName;
import io.fedgate.core.probe.ConnectionReport;
import io.fedgate.core.probe.DigestingBackend;
import io.fedgate.core.testing.FederationFixture;
import io.fedgate.core.testing.FederationPki;
import io.fedgate.core.demo.GatewayProcess;
import io.fedgate.core.demo.ServiceSpec;
import io.fedgate.core.probe.TrafficClient;

/**
 * The ingress, as its own process, relays 64 MiB each way between the peer's egress (a client with its
 * certificate) and a backend, and every byte arrives: SHA-256 of what was sent equals SHA-256 of what arrived in both
 * directions, and each side's half-close reaches the other.
 */
class IngressRelaysDigestVerifiedBytesIT {
    private static final long SIZE = 64L << 20;
    private static final String EXPORTED = "ratings.bookinfo.svc.green-mesh-exports.local";

    @TempDir
    Path dir;

    private FederationFixture federation;
    private DigestingBackend ratings;
    private GatewayProcess ingress;
    private TrafficClient client;

    @BeforeEach
    void startIngress() {
        federation = FederationFixture.create(dir);
        ratings = DigestingBackend.sinkAndSource(SIZE, 2);
        FederationFixture.MeshConfig red = federation.redConfig()
                .service(ServiceSpec.named("bookinfo", "ratings").port("http", 9080).endpoint(ratings.address()))
                .export("bookinfo", "ratings");
        red.write();
        FederationPki pki = federation.pki();
        ingress = GatewayProcess.jar(GatewayProcess.ingressJar()).name("ingress-green-mesh").logDirectory(dir)
                .args(federation.ingress(pki.red(), pki.green()).args(red)).start();
        client = TrafficClient.create();
    }

    @AfterEach
    void stop() {
        if (client != null) {
            client.close();
        }
        if (ingress != null) {
            ingress.close();
            ItLogs.keep(ingress, IngressRelaysDigestVerifiedBytesIT.class);
        }
        if (ratings != null) {
            ratings.close();
        }
    }

    private SslContext greenEgress() {
        return federation.pki().green().egressClientContext(federation.pki().red());
    }

    @Test
    void sixtyFourMebibytesEachWayArriveIntact() {
        InetSocketAddress service = ingress.awaitListening("service", Duration.ofSeconds(30));

        ConnectionReport sent = client.to(service).tls(greenEgress(), SniName.outbound(9080, EXPORTED))
                .send(SIZE, 1).timeout(Duration.ofSeconds(120)).run();
        ConnectionReport arrived = ratings.awaitConnection();

        assertThat(sent.peer()).contains(federation.pki().red().ingressId(federation.pki().green()));
        assertThat(sent.bytesSent()).isEqualTo(SIZE);
        assertThat(arrived.bytesReceived()).as("bytes at the backend").isEqualTo(SIZE);
        assertThat(arrived.sha256Received()).as("SHA-256 downstream -> upstream").isEqualTo(sent.sha256Sent());
        assertThat(sent.bytesReceived()).as("bytes at the client").isEqualTo(SIZE);
        assertThat(sent.sha256Received()).as("SHA-256 upstream -> downstream").isEqualTo(arrived.sha256Sent());
        assertThat(arrived.inputEnded()).as("client's half-close reached the backend").isTrue();
        assertThat(sent.inputEnded()).as("backend's half-close reached the client").isTrue();
    }
}
