package io.fedgate.ingress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.code_intelligence.jazzer.junit.FuzzTest;

import io.netty.resolver.DefaultAddressResolverGroup;

import io.fedgate.core.cli.GatewayCommand;
import io.fedgate.core.demo.ServiceSpec;
import io.fedgate.core.gateway.GatewayRole;
import io.fedgate.core.relay.UpstreamConnector;
import io.fedgate.core.testing.ClientHelloCorpus;
import io.fedgate.core.testing.FederationFixture;
import io.fedgate.core.testing.FederationPki;
import io.fedgate.core.testing.SniFuzzHarness;
import io.fedgate.core.transport.Transport;

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

    /** The seeds reach routes and each early refusal; a routed hello here meets a server that never hears more. */
    @Test
    void theSeedsEndAsTheirNamesSay() {
        Map<String, String> outcomes = new LinkedHashMap<>();
        ClientHelloCorpus.NAMES.forEach(name -> outcomes.put(name, HARNESS.run(ClientHelloCorpus.read(name),
                reporter -> new IngressSniHandler(LISTENER, reporter))));
        String routed = "routed, then closed-before-handshake";
        assertThat(outcomes).containsExactly(entry("valid_sni", routed), entry("outbound_form", routed),
                entry("underscore_name", "unknown-sni"), entry("no_sni", "no-sni"), entry("fragmented", routed),
                entry("too_large", "client-hello-too-large"), entry("not_tls", "not-tls"));
    }

    private static ServiceListenerContext listener() {
        FederationFixture federation;
        try {
            federation = FederationFixture.create(Files.createTempDirectory("ingress-sni-fuzz"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
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
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        GatewayCommand.Prepared prepared = GatewayCommand.prepare(GatewayRole.INGRESS, "fuzz",
                federation.ingress(pki.red(), pki.green()).args(red).toArray(String[]::new), System.out,
                new PrintStream(err, true, StandardCharsets.UTF_8));
        if (!prepared.ready()) {
            throw new IllegalStateException(err.toString(StandardCharsets.UTF_8));
        }
        UpstreamConnector connector = new UpstreamConnector(Transport.NIO, Duration.ofSeconds(1),
                DefaultAddressResolverGroup.INSTANCE);
        return new ServiceListenerContext(IngressRouteTable.build(prepared.context()), connector,
                HARNESS.connections(), HARNESS.refusals(), 10_000, MAX_CLIENT_HELLO, "cluster.local");
    }
}
