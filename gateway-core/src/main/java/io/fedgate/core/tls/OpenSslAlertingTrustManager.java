package io.fedgate.core.tls;

import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

import io.fedgate.core.trust.PeerRefusedException;
import io.fedgate.core.trust.SpiffeTrustManager;
import io.netty.handler.ssl.OpenSslCertificateException;
import io.netty.internal.tcnative.CertificateVerifier;

/**
 * Makes BoringSSL tell a refused peer why, in the TLS alert it sends. Netty turns an exception it does not know from
 * a trust manager into {@code X509_V_ERR_UNSPECIFIED}, which BoringSSL sends as {@code internal_error}, so the peer
 * (an Envoy, say) would log our refusal of its certificate as a bug on our side. Netty passes on the error code of an
 * {@link OpenSslCertificateException}, so refusals are rethrown as one, with the {@link PeerRefusedException} as
 * its cause, where {@link io.fedgate.core.trust.PeerRefusal#of(Throwable)} still finds it.
 *
 * <p>Only for the OpenSSL provider: the JDK picks its alerts itself, and the error codes need the native library.
 */
final class OpenSslAlertingTrustManager extends X509ExtendedTrustManager {
    private final SpiffeTrustManager delegate;

    OpenSslAlertingTrustManager(SpiffeTrustManager delegate) {
        this.delegate = delegate;
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        try {
            delegate.checkClientTrusted(chain, authType, engine);
        } catch (PeerRefusedException e) {
            throw withAlert(e);
        }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        try {
            delegate.checkServerTrusted(chain, authType, engine);
        } catch (PeerRefusedException e) {
            throw withAlert(e);
        }
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        delegate.checkClientTrusted(chain, authType, socket);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        delegate.checkServerTrusted(chain, authType, socket);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        delegate.checkClientTrusted(chain, authType);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        delegate.checkServerTrusted(chain, authType);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return delegate.getAcceptedIssuers();
    }

    /** The refusal as the X.509 error BoringSSL maps to the fitting alert (in comments). */
    static OpenSslCertificateException withAlert(PeerRefusedException refused) {
        int error;
        switch (refused.reason()) {
            case CERTIFICATE_EXPIRED:
                error = CertificateVerifier.X509_V_ERR_CERT_HAS_EXPIRED; // certificate_expired
                break;
            case CERTIFICATE_NOT_YET_VALID:
                error = CertificateVerifier.X509_V_ERR_CERT_NOT_YET_VALID; // certificate_expired, BoringSSL has no better one
                break;
            case UNTRUSTED_TRUST_DOMAIN:
            case UNTRUSTED_CHAIN:
                error = CertificateVerifier.X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY; // unknown_ca
                break;
            case LEAF_IS_CA:
            case BAD_KEY_USAGE:
                error = CertificateVerifier.X509_V_ERR_INVALID_PURPOSE; // unsupported_certificate
                break;
            default:
                error = CertificateVerifier.X509_V_ERR_CERT_REJECTED; // bad_certificate
                break;
        }
        return new OpenSslCertificateException(refused.getMessage(), refused, error);
    }

    @Override
    public String toString() {
        return "OpenSslAlerting" + delegate;
    }
}
