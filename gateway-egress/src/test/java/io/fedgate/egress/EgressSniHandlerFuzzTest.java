package io.fedgate.egress;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.code_intelligence.jazzer.junit.FuzzTest;

import io.fedgate.core.discovery.ServiceListMessage;
import io.fedgate.core.discovery.ServiceMessage;
import io.fedgate.core.discovery.ServicePortMessage;
import io.fedgate.core.gateway.GatewayContext;
import io.fedgate.core.gateway.GatewayRole;
import io.fedgate.core.testing.FederationFixture;
import io.fedgate.core.testing.FederationPki;
import io.fedgate.core.testing.SniFuzzHarness;
import io.fedgate.core.tls.SslContexts;
import io.fedgate.core.trust.PeerAuthorizer;

/**
 * The egress's service listener takes local workloads' connections: whatever bytes they send first go through
 * {@link EgressSniHandler}, which must choose an imported route (and hand the ClientHello to the egress's TLS) or
 * refuse with a reason, within the ClientHello bound, leaking nothing (see {@link SniFuzzHarness}). Red imports
 * green's {@code ratings} (one port) and {@code details} (two) under the domain suffix
 * {@code svc.green-mesh-exports.local}, so the import hosts are the names of gateway-core's ClientHello corpus,
 * which the pom copies here as the seeds.
 */
class EgressSniHandlerFuzzTest {
    private static final int MAX_CLIENT_HELLO = 16384;
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
    private static final SniFuzzHarness HARNESS = new SniFuzzHarness(GatewayRole.EGRESS,
            ServiceListenerInitializer.NAME, MAX_CLIENT_HELLO);
    private static final EgressListenerContext LISTENER = listener();

    @FuzzTest(maxDuration = "10s")
    void anyBytesGiveARouteOrARefusal(byte[] input) {
        HARNESS.run(input, reporter -> new EgressSniHandler(LISTENER, reporter));
    }

    /** The seeds reach routes (and BoringSSL behind them) and each early refusal. */
    @Test
    void theSeedsEndAsTheirNamesSay() {
        HARNESS.assertCorpusOutcomes(reporter -> new EgressSniHandler(LISTENER, reporter));
    }

    private static EgressListenerContext listener() {
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
                SniFuzzHarness.idleConnector(), HARNESS.connections(), HARNESS.refusals(), 10_000,
                MAX_CLIENT_HELLO);
    }
}
