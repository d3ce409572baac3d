package io.fedgate.core.trust;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.Socket;
import java.security.cert.X509Certificate;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;

import org.junit.jupiter.api.Test;

import io.fedgate.core.pki.IssuedCertificate;
import io.fedgate.core.testing.FederationPki;

class SpiffeTrustManagerTest {
    private static final FederationPki PKI = FederationPki.create();

    private final SpiffeTrustManager trustManager = new SpiffeTrustManager(new SvidVerifier(PKI.bundles()),
            PKI.green().egressAuthorizer(PKI.red()));

    @Test
    void verifiesAndAuthorizesInBothRoles() throws Exception {
        SSLEngine engine = SSLContext.getDefault().createSSLEngine();
        X509Certificate[] egress = chain(PKI.green().egressFor(PKI.red()));
        assertThatCode(() -> trustManager.checkClientTrusted(egress, "UNKNOWN", engine)).doesNotThrowAnyException();
        assertThatCode(() -> trustManager.checkServerTrusted(egress, "ECDHE_ECDSA", engine)).doesNotThrowAnyException();
        assertThat(trustManager.verify(egress, engine)).isEqualTo(PKI.green().egressId(PKI.red()));

        X509Certificate[] ingress = chain(PKI.green().ingressFor(PKI.red()));
        assertThatThrownBy(() -> trustManager.checkClientTrusted(ingress, "UNKNOWN", engine))
                .isInstanceOfSatisfying(PeerRefusedException.class,
                        e -> assertThat(e.reason()).isEqualTo(RefusalReason.SPIFFE_ID_MISMATCH));
        assertThatThrownBy(() -> trustManager.checkServerTrusted(new X509Certificate[0], "UNKNOWN", engine))
                .isInstanceOfSatisfying(PeerRefusedException.class,
                        e -> assertThat(e.reason()).isEqualTo(RefusalReason.NO_PEER_CERTIFICATE));
    }

    @Test
    void refusesHandshakesWithoutAnEngine() {
        X509Certificate[] egress = chain(PKI.green().egressFor(PKI.red()));
        assertThatThrownBy(() -> trustManager.checkClientTrusted(egress, "UNKNOWN"))
                .isInstanceOf(PeerRefusedException.class).hasMessageContaining("expected an SSLEngine");
        assertThatThrownBy(() -> trustManager.checkServerTrusted(egress, "UNKNOWN"))
                .isInstanceOf(PeerRefusedException.class);
        assertThatThrownBy(() -> trustManager.checkClientTrusted(egress, "UNKNOWN", (Socket) null))
                .isInstanceOf(PeerRefusedException.class);
        assertThatThrownBy(() -> trustManager.checkServerTrusted(egress, "UNKNOWN", (Socket) null))
                .isInstanceOf(PeerRefusedException.class);
    }

    @Test
    void advertisesNoAcceptedIssuersSoClientsAlwaysPresentTheirCertificate() {
        assertThat(trustManager.getAcceptedIssuers()).isEmpty();
    }

    private static X509Certificate[] chain(IssuedCertificate svid) {
        return svid.chain().toArray(new X509Certificate[0]);
    }
}
