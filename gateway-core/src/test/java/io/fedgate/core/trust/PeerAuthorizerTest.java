package io.fedgate.core.trust;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Set;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;

import org.junit.jupiter.api.Test;

import io.fedgate.core.spiffe.SpiffeId;

class PeerAuthorizerTest {
    private static final SpiffeId CLIENT_ID =
            SpiffeId.parsePrincipal("green-mesh.local/ns/green-mesh-system/sa/egress-red-mesh-service-account");
    private static final SpiffeId OTHER = SpiffeId.parse("spiffe://green-mesh.local/ns/x/sa/y");
    private static final SpiffeId INGRESS_A = SpiffeId.parse("spiffe://red-mesh.local/ns/red-mesh-system/sa/a");
    private static final SpiffeId INGRESS_B = SpiffeId.parse("spiffe://red-mesh.local/ns/red-mesh-system/sa/b");

    @Test
    void exactlyAcceptsOneIdAndNamesItWhenRefusing() {
        PeerAuthorizer authorizer = PeerAuthorizer.exactly(CLIENT_ID);
        assertThat(authorizer.allowed(null)).containsExactly(CLIENT_ID);
        assertThatCode(() -> authorizer.authorize(CLIENT_ID, null)).doesNotThrowAnyException();
        assertThatThrownBy(() -> authorizer.authorize(OTHER, null))
                .isInstanceOfSatisfying(PeerRefusedException.class,
                        e -> assertThat(e.reason()).isEqualTo(RefusalReason.SPIFFE_ID_MISMATCH))
                .hasMessage("spiffe-id-mismatch: presented spiffe://green-mesh.local/ns/x/sa/y, expected "
                        + "spiffe://green-mesh.local/ns/green-mesh-system/sa/egress-red-mesh-service-account");
    }

    @Test
    void anyOfListsTheExpectedIdsSorted() {
        PeerAuthorizer authorizer = PeerAuthorizer.anyOf(Set.of(INGRESS_B, INGRESS_A));
        assertThatCode(() -> authorizer.authorize(INGRESS_A, null)).doesNotThrowAnyException();
        assertThatCode(() -> authorizer.authorize(INGRESS_B, null)).doesNotThrowAnyException();
        assertThatThrownBy(() -> authorizer.authorize(OTHER, null))
                .hasMessage("spiffe-id-mismatch: presented " + OTHER + ", expected one of [" + INGRESS_A + ", " + INGRESS_B + "]");
        assertThatThrownBy(() -> PeerAuthorizer.anyOf(Set.of()).authorize(OTHER, null))
                .hasMessage("spiffe-id-mismatch: presented " + OTHER + ", expected no identity (none is allowed)");
    }

    @Test
    void byPeerHostLooksUpTheHostTheClientDialled() throws Exception {
        PeerAuthorizer authorizer = PeerAuthorizer.byPeerHost(
                Map.of("ratings.bookinfo.svc.red-mesh-exports.local", Set.of(INGRESS_A))::get);
        SSLEngine ratings = SSLContext.getDefault().createSSLEngine("ratings.bookinfo.svc.red-mesh-exports.local", 15443);
        SSLEngine unknown = SSLContext.getDefault().createSSLEngine("unknown.local", 15443);
        assertThat(authorizer.allowed(ratings)).containsExactly(INGRESS_A);
        assertThat(authorizer.allowed(unknown)).isEmpty();
        assertThat(authorizer.allowed(SSLContext.getDefault().createSSLEngine())).isEmpty();
        assertThat(authorizer.allowed(null)).isEmpty();
        assertThatThrownBy(() -> authorizer.authorize(INGRESS_A, unknown))
                .hasMessage("spiffe-id-mismatch: presented " + INGRESS_A
                        + ", expected no identity (none is allowed for peer host unknown.local)");
    }

    @Test
    void anyInTrustDomainAcceptsEveryIdOfThatDomainOnly() {
        PeerAuthorizer authorizer = PeerAuthorizer.anyInTrustDomain("red-mesh.local");
        assertThatCode(() -> authorizer.authorize(INGRESS_A, null)).doesNotThrowAnyException();
        assertThatCode(() -> authorizer.authorize(SpiffeId.parse("spiffe://red-mesh.local/ns/bookinfo/sa/productpage"), null))
                .doesNotThrowAnyException();
        assertThatThrownBy(() -> authorizer.authorize(OTHER, null))
                .isInstanceOfSatisfying(PeerRefusedException.class,
                        e -> assertThat(e.reason()).isEqualTo(RefusalReason.SPIFFE_ID_MISMATCH))
                .hasMessage("spiffe-id-mismatch: presented " + OTHER + ", expected any identity in trust domain red-mesh.local");
    }
}
