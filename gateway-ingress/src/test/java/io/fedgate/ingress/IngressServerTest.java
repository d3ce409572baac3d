package io.fedgate.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.netty.handler.ssl.SslContext;

import io.fedgate.core.cli.GatewayCommand;
import io.fedgate.core.gateway.GatewayRole;
import io.fedgate.core.routing.SniName;
import io.fedgate.core.probe.ConnectionReport;
import io.fedgate.core.probe.DigestingBackend;
import io.fedgate.core.testing.FederationFixture;
import io.fedgate.core.testing.FederationPki;
import io.fedgate.core.demo.ServiceSpec;
import io.fedgate.core.probe.TrafficClient;

/** The ingress's listeners inside the test JVM: quick checks of routing and relaying before the process-level ITs. */
class IngressServerTest {
    private static final String EXPORTED = "ratings.bookinfo.svc.green-mesh-exports.local";

    @TempDir
    Path dir;

    private FederationFixture federation;
    private DigestingBackend ratings;
    private IngressServer server;
    private TrafficClient client;

    @BeforeEach
    void start() throws InterruptedException {
        federation = FederationFixture.create(dir);
        ratings = DigestingBackend.echo();
        FederationFixture.MeshConfig red = federation.redConfig()
                .service(ServiceSpec.named("bookinfo", "ratings").port("http", 9080).endpoint(ratings.address()))
                .export("bookinfo", "ratings");
        red.write();
        FederationPki pki = federation.pki();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        GatewayCommand.Prepared prepared = GatewayCommand.prepare(GatewayRole.INGRESS, "test",
                federation.ingress(pki.red(), pki.green()).args(red).toArray(String[]::new),
                System.out, new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(prepared.ready()).as("%s", err).isTrue();
        server = IngressServer.start(prepared.context());
        client = TrafficClient.create();
    }

    @AfterEach
    void stop() {
        client.close();
        server.close();
        ratings.close();
    }

    private SslContext greenEgress() {
        return federation.pki().green().egressClientContext(federation.pki().red());
    }

    @Test
    void smallExchangesWithEarlyHalfCloseAllArrive() {
        InetSocketAddress service = server.serviceAddress();
        for (int i = 0; i < 20; i++) {
            ConnectionReport report = client.to(service).tls(greenEgress(), SniName.outbound(9080, EXPORTED))
                    .send(100_000, i).run();
            assertThat(report.bytesReceived()).as("connection %d: %s", i, report).isEqualTo(100_000);
            assertThat(report.sha256Received()).isEqualTo(report.sha256Sent());
        }
    }

    @Test
    void relaysThroughTerminatedTls() {
        InetSocketAddress service = server.serviceAddress();

        ConnectionReport report = client.to(service).tls(greenEgress(), SniName.outbound(9080, EXPORTED))
                .send(1 << 20, 7).run();

        assertThat(report.cause()).isEmpty();
        assertThat(report.bytesReceived()).isEqualTo(1 << 20);
        assertThat(report.sha256Received()).isEqualTo(report.sha256Sent());
    }
}
