package io.fedgate.core.tls;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import io.netty.handler.ssl.SslContext;
import io.netty.util.ReferenceCountUtil;

import io.fedgate.core.routing.SniName;
import io.fedgate.core.probe.ConnectionReport;
import io.fedgate.core.probe.DigestingBackend;
import io.fedgate.core.testing.FederationPki;
import io.fedgate.core.probe.TlsBackend;
import io.fedgate.core.probe.TrafficClient;
import io.fedgate.core.trust.PeerAuthorizer;

/**
 * A server reads the name {@link ClientSni} requests from a client of either provider, also Istio's names with
 * underscores. The server is BoringSSL's where available: the JDK's server engine refuses such names itself.
 */
class ClientSniTest {
    private static final FederationPki PKI = FederationPki.create();
    private static final String HOST = "ratings.bookinfo.svc.red-mesh-exports.local";

    static Iterable<TlsProvider> providers() {
        return TlsProvider.available();
    }

    @ParameterizedTest
    @MethodSource("providers")
    void serverSeesOutboundNameWithUnderscores(TlsProvider provider) {
        assertThat(serverNameSeen(provider, SniName.outbound(9080, HOST))).contains(SniName.outbound(9080, HOST));
    }

    @ParameterizedTest
    @MethodSource("providers")
    void serverSeesPlainHostName(TlsProvider provider) {
        assertThat(serverNameSeen(provider, HOST)).contains(HOST);
    }

    /** TrafficClient names its SNI through {@link ClientSni#request}. */
    private static java.util.Optional<String> serverNameSeen(TlsProvider provider, String name) {
        SslContext server = SslContexts.forServer(PKI.green().ingressIdentity(PKI.red()), PKI.bundles(),
                PKI.red().egressAuthorizer(PKI.green()), TlsProvider.preferred());
        SslContext client = SslContexts.forClient(PKI.red().egressIdentity(PKI.green()), PKI.bundles(),
                PeerAuthorizer.exactly(PKI.green().ingressId(PKI.red())), provider);
        try (TlsBackend backend = DigestingBackend.builder().echo().startTls(server);
             TrafficClient traffic = TrafficClient.create(1)) {
            ConnectionReport report = traffic.to(backend.address()).tls(client, name).send(1000, 1).run();
            assertThat(report.bytesReceived()).as("%s", report).isEqualTo(1000);
            return backend.awaitConnection().sni();
        } finally {
            ReferenceCountUtil.release(server);
            ReferenceCountUtil.release(client);
        }
    }
}
