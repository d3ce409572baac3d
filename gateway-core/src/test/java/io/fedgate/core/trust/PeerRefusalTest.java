package io.fedgate.core.trust;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.channels.ClosedChannelException;

import javax.net.ssl.SSLHandshakeException;

import org.junit.jupiter.api.Test;

import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.SslHandshakeTimeoutException;

/** Classification of handshake failures as Netty reports them with either provider (messages as observed). */
class PeerRefusalTest {

    @Test
    void findsOurRefusalAnywhereInTheCauseChain() {
        PeerRefusedException refused = new PeerRefusedException(RefusalReason.LEAF_IS_CA, "presented x, expected y");
        // OpenSSL: a generic handshake exception whose cause is what the trust manager threw.
        SSLHandshakeException openSsl = new SSLHandshakeException("General OpenSslEngine problem");
        openSsl.initCause(refused);
        assertThat(PeerRefusal.of(new DecoderException(openSsl)))
                .isEqualTo(PeerRefusal.of(RefusalReason.LEAF_IS_CA, "presented x, expected y"));
        // Or as a suppressed exception.
        SSLHandshakeException suppressed = new SSLHandshakeException("closed");
        suppressed.addSuppressed(refused);
        assertThat(PeerRefusal.of(suppressed).reason()).isEqualTo(RefusalReason.LEAF_IS_CA);
        assertThat(PeerRefusal.of(refused).message()).isEqualTo("leaf-is-ca: presented x, expected y");
    }

    @Test
    void recognisesMissingClientCertificateFromEitherProvider() {
        String expected = "no-peer-certificate: peer presented no certificate, expected an X509-SVID";
        assertThat(PeerRefusal.of(new SSLHandshakeException(
                "error:100000c0:SSL routines:OPENSSL_internal:PEER_DID_NOT_RETURN_A_CERTIFICATE")).message())
                .isEqualTo(expected);
        assertThat(PeerRefusal.of(new DecoderException(new SSLHandshakeException("Empty client certificate chain")))
                .message()).isEqualTo(expected);
    }

    @Test
    void recognisesBoringSslKeyUsageCheck() {
        PeerRefusal refusal = PeerRefusal.of(new SSLHandshakeException(
                "error:1000044f:SSL routines:OPENSSL_internal:KEY_USAGE_BIT_INCORRECT"));
        assertThat(refusal.reason()).isEqualTo(RefusalReason.BAD_KEY_USAGE);
        assertThat(refusal.detail()).contains("KEY_USAGE_BIT_INCORRECT");
    }

    @Test
    void anAlertAboutOurCertificateIsThePeerRefusingUs() {
        PeerRefusal jdk = PeerRefusal.of(new DecoderException(new SSLHandshakeException(
                "Received fatal alert: certificate_unknown")));
        assertThat(jdk.reason()).isEqualTo(RefusalReason.REFUSED_BY_PEER);
        assertThat(jdk.detail()).startsWith("the peer refused our certificate with TLS alert certificate_unknown: ")
                .endsWith("(SSLHandshakeException: Received fatal alert: certificate_unknown)");
        PeerRefusal boring = PeerRefusal.of(new SSLHandshakeException(
                "error:10000418:SSL routines:OPENSSL_internal:TLSV1_ALERT_UNKNOWN_CA"));
        assertThat(boring.message()).startsWith("refused-by-peer: the peer refused our certificate with TLS alert "
                + "unknown_ca: it does not trust our root").contains("TLSV1_ALERT_UNKNOWN_CA");
    }

    @Test
    void everythingElseIsAHandshakeFailureNamingTheTlsError() {
        assertThat(PeerRefusal.of(new DecoderException(new SSLHandshakeException(
                "Received fatal alert: handshake_failure"))).message())
                .isEqualTo("handshake-failed: SSLHandshakeException: Received fatal alert: handshake_failure");
        assertThat(PeerRefusal.of(new SslHandshakeTimeoutException("handshake timed out after 5000ms")).message())
                .isEqualTo("handshake-failed: timed out: handshake timed out after 5000ms");
        assertThat(PeerRefusal.of(new ClosedChannelException()).message())
                .isEqualTo("handshake-failed: ClosedChannelException");
    }

    @Test
    void survivesCyclicCauseChains() {
        SSLHandshakeException a = new SSLHandshakeException("a");
        SSLHandshakeException b = new SSLHandshakeException("b");
        a.initCause(b);
        b.addSuppressed(a);
        assertThat(PeerRefusal.of(a).reason()).isEqualTo(RefusalReason.HANDSHAKE_FAILED);
    }

    @Test
    void codesAreStableKebabCase() {
        assertThat(RefusalReason.SPIFFE_ID_MISMATCH.code()).isEqualTo("spiffe-id-mismatch");
        assertThat(RefusalReason.UNTRUSTED_TRUST_DOMAIN.code()).isEqualTo("untrusted-trust-domain");
        assertThat(RefusalReason.UNTRUSTED_CHAIN.code()).isEqualTo("untrusted-chain");
        assertThat(RefusalReason.NO_PEER_CERTIFICATE.code()).isEqualTo("no-peer-certificate");
        assertThat(RefusalReason.CERTIFICATE_EXPIRED.code()).isEqualTo("certificate-expired");
        assertThat(RefusalReason.CERTIFICATE_NOT_YET_VALID.code()).isEqualTo("certificate-not-yet-valid");
        assertThat(RefusalReason.LEAF_IS_CA.code()).isEqualTo("leaf-is-ca");
        assertThat(RefusalReason.NO_URI_SAN.code()).isEqualTo("no-uri-san");
        assertThat(RefusalReason.MULTIPLE_URI_SANS.code()).isEqualTo("multiple-uri-sans");
        assertThat(RefusalReason.INVALID_SPIFFE_ID.code()).isEqualTo("invalid-spiffe-id");
        assertThat(RefusalReason.BAD_KEY_USAGE.code()).isEqualTo("bad-key-usage");
        assertThat(RefusalReason.HANDSHAKE_FAILED.code()).isEqualTo("handshake-failed");
        for (RefusalReason reason : RefusalReason.values()) {
            assertThat(reason.code()).matches("[a-z]+(-[a-z]+)*")
                    .isEqualTo(reason.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'));
        }
    }
}
