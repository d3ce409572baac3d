package io.fedgate.egress;

import java.util.List;
import java.util.Map;

import io.fedgate.core.discovery.ServiceListMessage;
import io.fedgate.core.discovery.ServiceMessage;
import io.fedgate.core.discovery.ServicePortMessage;
import io.fedgate.core.gateway.GatewayContext;
import io.fedgate.core.gateway.GatewayRole;
import io.fedgate.core.listener.DownstreamReporter;
import io.fedgate.core.testing.FederationFixture;
import io.fedgate.core.testing.FederationPki;
import io.fedgate.core.testing.SniFuzzHarness;
import io.fedgate.core.tls.SslContexts;
import io.fedgate.core.trust.PeerAuthorizer;

/**
 * The egress service listener {@link EgressSniHandler}'s tests drive: red imports green's {@code ratings} (one port)
 * and {@code details} (two) under the domain suffix {@code svc.green-mesh-exports.local}, so the import hosts are
 * the names of gateway-core's ClientHello corpus; the routes lead to peer {@code green-mesh}.
 */
final class EgressSniListener {
    static final int MAX_CLIENT_HELLO = 16384;
    static final long HANDSHAKE_TIMEOUT_MILLIS = 10_000;
    static final String PEER = "green-mesh";
    private static final String IMPORTS = """
            apiVersion: federation.maistra.io/v1
            kind: ImportedServiceSet
            metadata:
              name: green-mesh
              namespace: red-mesh-system
            spec:
              domainSuffix: svc.green-mesh-exports.local
              importRules:
              - type: NameSelector
                importAsLocal: false
                nameSelector:
                  namespace: bookinfo
                  name: "*"
            """;
    static final SniFuzzHarness HARNESS = new SniFuzzHarness(GatewayRole.EGRESS, ServiceListenerInitializer.NAME,
            MAX_CLIENT_HELLO);
    static final EgressListenerContext CONTEXT = context();

    private EgressSniListener() {
    }

    /** A new SNI handler of the listener for a connection's {@code reporter}. */
    static EgressSniHandler handler(DownstreamReporter reporter) {
        return new EgressSniHandler(CONTEXT, reporter);
    }

    private static EgressListenerContext context() {
        FederationFixture federation = SniFuzzHarness.newFederation();
        FederationFixture.MeshConfig red = federation.redConfig().peerAddresses("127.0.0.1").peerServicePort(9)
                .file("importedserviceset-green-mesh.yaml", IMPORTS);
        red.write();
        FederationPki pki = federation.pki();
        GatewayContext context = SniFuzzHarness.prepare(GatewayRole.EGRESS, federation.egress(pki.red(), pki.green())
                .args(red));
        String ingress = pki.green().ingressId(pki.red()).toString();
        ServiceListMessage green = ServiceListMessage.of(List.of(
                new ServiceMessage("ratings", "bookinfo", "ratings.bookinfo.svc.red-mesh-exports.local",
                        List.of(new ServicePortMessage("http", 9080, "HTTP")), List.of(ingress)),
                new ServiceMessage("details", "bookinfo", "details.bookinfo.svc.red-mesh-exports.local",
                        List.of(new ServicePortMessage("http", 9080, "HTTP"), new ServicePortMessage("tcp", 9443, "TCP")),
                        List.of(ingress))));
        return new EgressListenerContext(EgressRouteTable.build(context, Map.of(pki.green().name(), green)),
                SslContexts.forServer(context.identity(), context.trustBundles(),
                        PeerAuthorizer.anyInTrustDomain(context.identity().spiffeId().trustDomain()),
                        context.tlsProvider()),
                SniFuzzHarness.idleConnector(), HARNESS.connections(), HARNESS.refusals(), HANDSHAKE_TIMEOUT_MILLIS,
                MAX_CLIENT_HELLO);
    }
}
