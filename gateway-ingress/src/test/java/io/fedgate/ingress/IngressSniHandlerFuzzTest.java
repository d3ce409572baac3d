package io.fedgate.ingress;

import java.net.InetSocketAddress;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.code_intelligence.jazzer.junit.FuzzTest;

import io.fedgate.core.demo.ServiceSpec;
import io.fedgate.core.gateway.GatewayContext;
import io.fedgate.core.gateway.GatewayRole;
import io.fedgate.core.testing.FederationFixture;
import io.fedgate.core.testing.FederationPki;
import io.fedgate.core.testing.SniFuzzHarness;

/**
 * The ingress's service listener is reachable by anyone: whatever bytes a downstream sends first go through
 * {@link IngressSniHandler}, which must choose a route (and hand the ClientHello to the peer's TLS) or refuse with
 * a reason, within the ClientHello bound, leaking nothing (see {@link SniFuzzHarness}). The red mesh exports a
 * single-port and a two-port service to green; the seeds, gateway-core's ClientHello corpus (copied here by the
 * pom), reach routes (and BoringSSL behind them), {@code unknown-sni}, {@code no-sni}, {@code not-tls} and
 * {@code client-hello-too-large}.
 */
class IngressSniHandlerFuzzTest {
    private static final int MAX_CLIENT_HELLO = 16384;
    private static final SniFuzzHarness HARNESS = new SniFuzzHarness(GatewayRole.INGRESS,
            ServiceListenerInitializer.NAME, MAX_CLIENT_HELLO);
    private static final ServiceListenerContext LISTENER = listener();

    @FuzzTest(maxDuration = "10s")
    void anyBytesGiveARouteOrARefusal(byte[] input) {
        HARNESS.run(input, reporter -> new IngressSniHandler(LISTENER, reporter));
    }

    /** The seeds reach routes (and BoringSSL behind them) and each early refusal. */
    @Test
    void theSeedsEndAsTheirNamesSay() {
        HARNESS.assertCorpusOutcomes(reporter -> new IngressSniHandler(LISTENER, reporter));
    }

    private static ServiceListenerContext listener() {
        FederationFixture federation = SniFuzzHarness.newFederation();
        // Endpoints on loopback's discard port: only pass-through would connect, and no route here is.
        InetSocketAddress endpoint = new InetSocketAddress("127.0.0.1", 9);
        FederationFixture.MeshConfig red = federation.redConfig()
                .service(ServiceSpec.named("bookinfo", "ratings").port("http", 9080).endpoint(endpoint))
                .service(ServiceSpec.named("bookinfo", "details").port("http", 9080).port("tcp", 9443)
                        .endpoint("127.0.0.1", Map.of("http", 9, "tcp", 9)))
                .export("bookinfo", "ratings")
                .export("bookinfo", "details");
        red.write();
        FederationPki pki = federation.pki();
        GatewayContext context = SniFuzzHarness.prepare(GatewayRole.INGRESS, federation.ingress(pki.red(), pki.green())
                .args(red));
        return new ServiceListenerContext(IngressRouteTable.build(context), SniFuzzHarness.idleConnector(),
                HARNESS.connections(), HARNESS.refusals(), 10_000, MAX_CLIENT_HELLO, "cluster.local");
    }
}
