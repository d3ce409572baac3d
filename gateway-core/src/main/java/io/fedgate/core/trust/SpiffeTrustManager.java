package io.fedgate.core.trust;

import static java.util.Objects.requireNonNull;

import java.net.Socket;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import javax.net.ssl.X509ExtendedTrustManager;

import io.netty.handler.ssl.ReferenceCountedOpenSslEngine;

import io.fedgate.core.spiffe.SpiffeId;

/**
 * A trust manager that accepts a peer only if {@link SvidVerifier} verifies its chain as an X509-SVID and
 * {@link PeerAuthorizer} allows its SPIFFE ID, so that a refused peer fails the TLS handshake itself. The same
 * check runs in both roles: a server checking its client ({@code checkClientTrusted}) and a client checking its
 * server ({@code checkServerTrusted}). Host names play no part; identity is the SPIFFE ID, so contexts using this
 * trust manager must turn endpoint identification off.
 *
 * <p>Sessions it accepts are invalidated so that they are never resumed: every connection is verified and
 * authorized anew, at the cost of a full handshake each time.
 *
 * <p>Only {@link SSLEngine} handshakes are supported (what Netty uses with both the JDK and OpenSSL providers).
 * The socket and engine-less variants refuse, because an authorizer may need the connection to decide.
 */
public final class SpiffeTrustManager extends X509ExtendedTrustManager {
    /** Session value under which an accepted peer's {@link SpiffeId} is kept. */
    private static final String PEER_ID = "fedgate.peer-spiffe-id";

    private final SvidVerifier verifier;
    private final PeerAuthorizer authorizer;

    /**
     * The SPIFFE ID of the peer {@code engine} accepted after its handshake: as this trust manager kept it, or read
     * from the peer's certificate; {@code null} if there is none.
     */
    public static SpiffeId peerId(SSLEngine engine) {
        SSLSession session = engine.getSession();
        Object kept = session.getValue(PEER_ID);
        if (kept instanceof SpiffeId) {
            return (SpiffeId) kept;
        }
        try {
            Certificate[] chain = session.getPeerCertificates();
            return chain.length > 0 && chain[0] instanceof X509Certificate
                    ? X509Svids.spiffeId((X509Certificate) chain[0]) : null;
        } catch (SSLPeerUnverifiedException | PeerRefusedException e) {
            return null;
        }
    }

    /** A trust manager verifying against {@code verifier}'s bundles and authorizing with {@code authorizer}. */
    public SpiffeTrustManager(SvidVerifier verifier, PeerAuthorizer authorizer) {
        this.verifier = requireNonNull(verifier, "verifier");
        this.authorizer = requireNonNull(authorizer, "authorizer");
    }

    /**
     * Verifies and authorizes a peer's chain; what the {@code check*Trusted} methods do.
     *
     * @return the peer's SPIFFE ID
     * @throws PeerRefusedException if the peer is refused, with the reason
     */
    public SpiffeId verify(X509Certificate[] chain, SSLEngine engine) throws PeerRefusedException {
        SpiffeId id = verifier.verify(chain);
        authorizer.authorize(id, engine);
        SSLSession session = engine == null ? null : engine.getHandshakeSession();
        if (session != null) {
            if (engine instanceof ReferenceCountedOpenSslEngine) {
                // Kept for the access log, so the certificate is not parsed again. Not with the JDK's engine: there a
                // session value makes TLS 1.3 send a fresh session ticket, and the invalidation below would not stop
                // the next connection from resuming with it.
                session.putValue(PEER_ID, id);
            }
            // A resumed session skips the trust manager, and with it expiry and authorization (an egress's allowed
            // IDs change with discovery). An invalidated session is never cached or ticketed by the JDK; OpenSSL
            // ignores this, so SslContexts turns its session cache off.
            session.invalidate();
        }
        return id;
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws PeerRefusedException {
        verify(chain, engine);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws PeerRefusedException {
        verify(chain, engine);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws PeerRefusedException {
        throw engineRequired();
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws PeerRefusedException {
        throw engineRequired();
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws PeerRefusedException {
        throw engineRequired();
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws PeerRefusedException {
        throw engineRequired();
    }

    /**
     * None: a server sends no list of acceptable CAs. With a list, TLS clients withhold a certificate that no listed
     * root issued, and the refusal could only say {@code no-peer-certificate}; without one, every client presents its
     * certificate and the refusal names the SPIFFE ID and trust domain it presented (Envoy does the same).
     */
    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
    }

    private static PeerRefusedException engineRequired() {
        return new PeerRefusedException(RefusalReason.HANDSHAKE_FAILED,
                "SpiffeTrustManager checks peers only in SSLEngine handshakes, expected an SSLEngine");
    }

    @Override
    public String toString() {
        return "SpiffeTrustManager{" + verifier.bundles() + '}';
    }
}
