package io.fedgate.core.tls;

import static java.util.Objects.requireNonNull;

import java.util.List;

import javax.net.ssl.SSLException;
import javax.net.ssl.X509ExtendedTrustManager;

import io.fedgate.core.trust.PeerAuthorizer;
import io.fedgate.core.trust.SpiffeTrustManager;
import io.fedgate.core.trust.SvidVerifier;
import io.fedgate.core.trust.TrustBundles;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSslSessionContext;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;

/**
 * Builds the mutual-TLS contexts gateways use: TLS 1.2 and 1.3 only, the gateway's own X509-SVID as key material,
 * and a {@link SpiffeTrustManager} deciding whom to accept. Build them once per configuration (they hold the
 * parsed keys and, with OpenSSL, a native context) and share them between connections.
 *
 * <p>Servers require a client certificate ({@link ClientAuth#REQUIRE}): a client that sends none fails the
 * handshake natively before the trust manager is asked, with an error that
 * {@link io.fedgate.core.trust.PeerRefusal#of(Throwable)} reports as {@code no-peer-certificate}.
 * Clients turn host name verification off: the peer's identity is its SPIFFE ID, not a DNS name. Sessions are
 * never resumed (see {@link #withoutResumption}): each connection pays a full handshake, and in exchange no
 * connection skips verification. The key-exchange groups are BoringSSL's defaults unless {@link TlsGroups} says
 * otherwise.
 */
public final class SslContexts {
    /** The protocol versions offered and accepted; Istio's and Maistra's Envoys speak both. */
    public static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

    private SslContexts() {
    }

    /** A server context requiring client certificates that verify against {@code bundles} and pass {@code authorizer}. */
    public static SslContext forServer(GatewayIdentity identity, TrustBundles bundles, PeerAuthorizer authorizer,
                                       TlsProvider provider) {
        return build(serverBuilder(identity, trustManager(bundles, authorizer), provider), identity, "server");
    }

    /** A client context accepting servers that verify against {@code bundles} and pass {@code authorizer}. */
    public static SslContext forClient(GatewayIdentity identity, TrustBundles bundles, PeerAuthorizer authorizer,
                                       TlsProvider provider) {
        return build(clientBuilder(identity, trustManager(bundles, authorizer), provider), identity, "client");
    }

    /**
     * The configured server builder, for callers that need to add to it (ALPN) or tests that narrow the
     * protocols; everything {@link #forServer} sets is already set. Pass the built context through
     * {@link #withoutResumption}.
     */
    public static SslContextBuilder serverBuilder(GatewayIdentity identity, SpiffeTrustManager trustManager,
                                                  TlsProvider provider) {
        requireNonNull(identity, "identity");
        requireNonNull(trustManager, "trustManager");
        requireNonNull(provider, "provider");
        return TlsGroups.apply(SslContextBuilder.forServer(identity.privateKey(), identity.certificateChain())
                .sslProvider(provider.sslProvider())
                .protocols(PROTOCOLS)
                .trustManager(forProvider(trustManager, provider))
                .clientAuth(ClientAuth.REQUIRE), provider);
    }

    /** The configured client builder; see {@link #serverBuilder}. */
    public static SslContextBuilder clientBuilder(GatewayIdentity identity, SpiffeTrustManager trustManager,
                                                  TlsProvider provider) {
        requireNonNull(identity, "identity");
        requireNonNull(trustManager, "trustManager");
        requireNonNull(provider, "provider");
        return TlsGroups.apply(SslContextBuilder.forClient()
                .sslProvider(provider.sslProvider())
                .protocols(PROTOCOLS)
                .keyManager(identity.privateKey(), identity.certificateChain())
                .trustManager(forProvider(trustManager, provider))
                // Netty 4.2 verifies host names by default; a SPIFFE SVID names no host, so that check would refuse every peer.
                .endpointIdentificationAlgorithm(null), provider);
    }

    /**
     * Turns session resumption off, so that every handshake runs the trust manager: a resumed session would skip
     * expiry and authorization. {@link SpiffeTrustManager} invalidates the sessions it accepts, which is enough for
     * the JDK; BoringSSL ignores that and needs its session cache off. Returns {@code context}.
     */
    public static SslContext withoutResumption(SslContext context) {
        if (context.sessionContext() instanceof OpenSslSessionContext) {
            ((OpenSslSessionContext) context.sessionContext()).setSessionCacheEnabled(false);
        }
        return context;
    }

    /** With OpenSSL, refusals carry an error code that makes BoringSSL send a fitting alert, not internal_error. */
    static X509ExtendedTrustManager forProvider(SpiffeTrustManager trustManager, TlsProvider provider) {
        return provider == TlsProvider.OPENSSL ? new OpenSslAlertingTrustManager(trustManager) : trustManager;
    }

    private static SpiffeTrustManager trustManager(TrustBundles bundles, PeerAuthorizer authorizer) {
        return new SpiffeTrustManager(new SvidVerifier(requireNonNull(bundles, "bundles")),
                requireNonNull(authorizer, "authorizer"));
    }

    private static SslContext build(SslContextBuilder builder, GatewayIdentity identity, String role) {
        try {
            return withoutResumption(builder.build());
        } catch (SSLException e) {
            throw new IllegalStateException("cannot build the TLS " + role + " context for " + identity.spiffeId()
                    + ": " + e.getMessage(), e);
        }
    }
}
