package io.fedgate.ingress;

import java.net.InetSocketAddress;
import java.util.Map;

import io.fedgate.core.demo.ServiceSpec;
import io.fedgate.core.gateway.GatewayContext;
import io.fedgate.core.gateway.GatewayRole;
import io.fedgate.core.listener.DownstreamReporter;
import io.fedgate.core.testing.FederationFixture;
import io.fedgate.core.testing.FederationPki;
import io.fedgate.core.testing.SniFuzzHarness;

/**
 * The ingress service listener {@link IngressSniHandler}'s tests drive: red exports a single-port ({@code ratings})
 * and a two-port service ({@code details}) to green, terminating TLS; the routes lead to peer {@code green-mesh}.
 */
final class IngressSniListener {
    static final int MAX_CLIENT_HELLO = 16384;
    static final long HANDSHAKE_TIMEOUT_MILLIS = 10_000;
    static final String PEER = "green-mesh";
    static final SniFuzzHarness HARNESS = new SniFuzzHarness(GatewayRole.INGRESS, ServiceListenerInitializer.NAME,
            MAX_CLIENT_HELLO);
    static final ServiceListenerContext CONTEXT = context();

    private IngressSniListener() {
    }

    /** A new SNI handler of the listener for a connection's {@code reporter}. */
    static IngressSniHandler handler(DownstreamReporter reporter) {
        return new IngressSniHandler(CONTEXT, reporter);
    }

    private static ServiceListenerContext context() {
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
                HARNESS.connections(), HARNESS.refusals(), HANDSHAKE_TIMEOUT_MILLIS, MAX_CLIENT_HELLO, "cluster.local");
    }
}
