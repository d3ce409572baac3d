package io.fedgate.core.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.fedgate.core.demo.Mesh;
import io.fedgate.core.probe.HandshakeOutcome;
import io.fedgate.core.testing.FederationPki;
import io.fedgate.core.testing.LoopbackTls;
import io.fedgate.core.trust.PeerAuthorizer;
import io.netty.handler.ssl.SslContext;

/** The {@value TlsGroups#PROPERTY} knob: parsed strictly, applied to BoringSSL contexts, refused for the JDK's. */
class TlsGroupsTest {
    private static FederationPki pki;
    private static Mesh red;
    private static Mesh green;

    @BeforeAll
    static void mintCertificates() {
        pki = FederationPki.create();
        red = pki.red();
        green = pki.green();
    }

    @Test
    void parsesACommaSeparatedListAndTreatsBlankAsTheDefaults() {
        assertThat(TlsGroups.parse(null)).isEmpty();
        assertThat(TlsGroups.parse(" ")).isEmpty();
        assertThat(TlsGroups.parse("X25519MLKEM768, x25519")).isEqualTo(Optional.of(List.of("X25519MLKEM768", "x25519")));
        assertThatThrownBy(() -> TlsGroups.parse("x25519,,P-256"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(TlsGroups.PROPERTY);
    }

    @Test
    void aServerAndAClientWithNoGroupInCommonDoNotHandshake() {
        assumeTrue(TlsProvider.OPENSSL.isAvailable(), "BoringSSL is not available here");
        SslContext server = withGroups("x25519", () -> SslContexts.forServer(red.ingressIdentity(green), pki.bundles(),
                green.egressAuthorizer(red), TlsProvider.OPENSSL));
        SslContext sameGroup = withGroups("x25519", this::client);
        SslContext otherGroup = withGroups("secp384r1", this::client);
        try (LoopbackTls tls = LoopbackTls.start(server)) {
            try (LoopbackTls.Client connection = tls.connect(sameGroup, "ratings.bookinfo.svc.green-mesh-exports.local")) {
                HandshakeOutcome outcome = connection.awaitHandshake();
                assertThat(outcome.isSuccess()).as("%s", outcome).isTrue();
                assertThat(connection.echo("ping")).isEqualTo("ping");
            }
            try (LoopbackTls.Client connection = tls.connect(otherGroup, "ratings.bookinfo.svc.green-mesh-exports.local")) {
                assertThat(connection.awaitHandshake().isSuccess()).isFalse();
            }
        }
    }

    @Test
    void anUnknownGroupFailsWhenTheContextIsBuilt() {
        assumeTrue(TlsProvider.OPENSSL.isAvailable(), "BoringSSL is not available here");
        assertThatThrownBy(() -> withGroups("x25519,no-such-group", this::client))
                .isInstanceOf(RuntimeException.class);
    }

    @Test
    void theJdkProviderIsToldWhereItsGroupsAreSet() {
        assertThatThrownBy(() -> withGroups("x25519", () -> SslContexts.forServer(red.ingressIdentity(green),
                pki.bundles(), green.egressAuthorizer(red), TlsProvider.JDK)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("jdk.tls.namedGroups");
    }

    private SslContext client() {
        return SslContexts.forClient(green.egressIdentity(red), pki.bundles(),
                PeerAuthorizer.exactly(red.ingressId(green)), TlsProvider.OPENSSL);
    }

    /** Builds a context with the property set; contexts read it once, when built. */
    private static SslContext withGroups(String groups, Supplier<SslContext> build) {
        String previous = System.getProperty(TlsGroups.PROPERTY);
        System.setProperty(TlsGroups.PROPERTY, groups);
        try {
            return build.get();
        } finally {
            if (previous == null) {
                System.clearProperty(TlsGroups.PROPERTY);
            } else {
                System.setProperty(TlsGroups.PROPERTY, previous);
            }
        }
    }
}
