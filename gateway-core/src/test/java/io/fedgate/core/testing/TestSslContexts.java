package io.fedgate.core.testing;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;

import javax.net.ssl.SSLException;

import io.fedgate.core.pki.IssuedCertificate;
import io.fedgate.core.tls.SslContexts;
import io.fedgate.core.tls.TlsProvider;
import io.fedgate.core.trust.SpiffeTrustManager;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;

/**
 * Client contexts that a gateway would never build: presenting any certificate at all (the production path,
 * {@link io.fedgate.core.tls.GatewayIdentity}, refuses a leaf without a SPIFFE ID) or none. Settings otherwise
 * mirror {@link SslContexts#clientBuilder}, so that a refusal is the server's doing, not a client quirk.
 */
public final class TestSslContexts {
    private TestSslContexts() {
    }

    /** A client presenting {@code presented} (its chain and key, unchecked). */
    public static SslContext clientPresenting(IssuedCertificate presented, SpiffeTrustManager trustManager,
                                              TlsProvider provider) {
        return clientPresenting(presented.chain(), presented.privateKey(), trustManager, provider);
    }

    /** A client presenting {@code chain} with {@code key}, unchecked. */
    public static SslContext clientPresenting(List<X509Certificate> chain, PrivateKey key,
                                              SpiffeTrustManager trustManager, TlsProvider provider) {
        return build(baseClient(trustManager, provider).keyManager(key, chain));
    }

    /** A client with no certificate at all. */
    public static SslContext clientWithoutCertificate(SpiffeTrustManager trustManager, TlsProvider provider) {
        return build(baseClient(trustManager, provider));
    }

    private static SslContextBuilder baseClient(SpiffeTrustManager trustManager, TlsProvider provider) {
        return SslContextBuilder.forClient()
                .sslProvider(provider.sslProvider())
                .protocols(SslContexts.PROTOCOLS)
                .trustManager(trustManager)
                .endpointIdentificationAlgorithm(null);
    }

    private static SslContext build(SslContextBuilder builder) {
        try {
            return builder.build();
        } catch (SSLException e) {
            throw new IllegalStateException("cannot build test client context: " + e, e);
        }
    }
}
