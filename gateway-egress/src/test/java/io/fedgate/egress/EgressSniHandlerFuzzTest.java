package io.fedgate.egress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.code_intelligence.jazzer.junit.FuzzTest;

import io.netty.resolver.DefaultAddressResolverGroup;

import io.fedgate.core.cli.GatewayCommand;
import io.fedgate.core.discovery.ServiceListMessage;
import io.fedgate.core.discovery.ServiceMessage;
import io.fedgate.core.discovery.ServicePortMessage;
import io.fedgate.core.gateway.GatewayContext;
import io.fedgate.core.gateway.GatewayRole;
import io.fedgate.core.relay.UpstreamConnector;
import io.fedgate.core.testing.ClientHelloCorpus;
import io.fedgate.core.testing.FederationFixture;
import io.fedgate.core.testing.FederationPki;
import io.fedgate.core.testing.SniFuzzHarness;
import io.fedgate.core.tls.SslContexts;
import io.fedgate.core.transport.Transport;
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

    /** The seeds reach routes and each early refusal; a routed hello here meets a server that never hears more. */
    @Test
    void theSeedsEndAsTheirNamesSay() {
        Map<String, String> outcomes = new LinkedHashMap<>();
        ClientHelloCorpus.NAMES.forEach(name -> outcomes.put(name, HARNESS.run(ClientHelloCorpus.read(name),
                reporter -> new EgressSniHandler(LISTENER, reporter))));
        String routed = "routed, then closed-before-handshake";
        assertThat(outcomes).containsExactly(entry("valid_sni", routed), entry("outbound_form", routed),
                entry("underscore_name", "unknown-sni"), entry("no_sni", "no-sni"), entry("fragmented", routed),
                entry("too_large", "client-hello-too-large"), entry("not_tls", "not-tls"));
    }

    private static EgressListenerContext listener() {
        FederationFixture federation;
        try {
            federation = FederationFixture.create(Files.createTempDirectory("egress-sni-fuzz"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        FederationFixture.MeshConfig red = federation.redConfig().peerAddresses("127.0.0.1").peerServicePort(9)
                .file("importedserviceset-green-mesh.yaml", IMPORTS);
        red.write();
        FederationPki pki = federation.pki();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        GatewayCommand.Prepared prepared = GatewayCommand.prepare(GatewayRole.EGRESS, "fuzz",
                federation.egress(pki.red(), pki.green()).args(red).toArray(String[]::new), System.out,
                new PrintStream(err, true, StandardCharsets.UTF_8));
        if (!prepared.ready()) {
            throw new IllegalStateException(err.toString(StandardCharsets.UTF_8));
        }
        GatewayContext context = prepared.context();
        String ingress = pki.green().ingressId(pki.red()).toString();
        ServiceListMessage green = ServiceListMessage.of(List.of(
                new ServiceMessage("ratings", "bookinfo", "ratings.bookinfo.svc.red-mesh-exports.local",
                        List.of(new ServicePortMessage("http", 9080, "HTTP")), List.of(ingress)),
                new ServiceMessage("details", "bookinfo", "details.bookinfo.svc.red-mesh-exports.local",
                        List.of(new ServicePortMessage("http", 9080, "HTTP"), new ServicePortMessage("tcp", 9443, "TCP")),
                        List.of(ingress))));
        // Only a routed connection whose TLS completes would connect, to loopback's discard port; none does here.
        UpstreamConnector connector = new UpstreamConnector(Transport.NIO, Duration.ofSeconds(1),
                DefaultAddressResolverGroup.INSTANCE);
        return new EgressListenerContext(EgressRouteTable.build(context, Map.of(pki.green().name(), green)),
                SslContexts.forServer(context.identity(), context.trustBundles(),
                        PeerAuthorizer.anyInTrustDomain(context.identity().spiffeId().trustDomain()),
                        context.tlsProvider()),
                connector, HARNESS.connections(), HARNESS.refusals(), 10_000,
                MAX_CLIENT_HELLO);
    }
}
