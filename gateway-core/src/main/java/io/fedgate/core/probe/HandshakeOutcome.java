package io.fedgate.core.probe;

import static java.util.Objects.requireNonNull;

import io.fedgate.core.spiffe.SpiffeId;
import io.fedgate.core.trust.PeerRefusal;
import io.fedgate.core.trust.RefusalReason;

/**
 * How one side of a TLS handshake ended: the verified peer and protocol, or the refusal and its raw cause. A server
 * that does not ask for client certificates succeeds {@linkplain #hasPeer() without a peer}.
 */
public final class HandshakeOutcome {
    private final SpiffeId peer;
    private final String protocol;
    private final PeerRefusal refusal;
    private final Throwable cause;

    private HandshakeOutcome(SpiffeId peer, String protocol, PeerRefusal refusal, Throwable cause) {
        this.peer = peer;
        this.protocol = protocol;
        this.refusal = refusal;
        this.cause = cause;
    }

    public static HandshakeOutcome success(SpiffeId peer, String protocol) {
        return new HandshakeOutcome(requireNonNull(peer, "peer"), requireNonNull(protocol, "protocol"), null, null);
    }

    /** A successful handshake in which the peer presented no certificate (the server did not ask for one). */
    static HandshakeOutcome withoutPeer(String protocol) {
        return new HandshakeOutcome(null, requireNonNull(protocol, "protocol"), null, null);
    }

    public static HandshakeOutcome failure(Throwable cause) {
        return new HandshakeOutcome(null, null, PeerRefusal.of(requireNonNull(cause, "cause")), cause);
    }

    /** Whether the handshake completed. */
    public boolean isSuccess() {
        return refusal == null;
    }

    /** Whether the peer presented a certificate in a successful handshake. */
    public boolean hasPeer() {
        return peer != null;
    }

    /** The SPIFFE ID the peer presented; only after a successful handshake with a peer certificate. */
    public SpiffeId peer() {
        if (peer == null) {
            throw new IllegalStateException(isSuccess() ? "handshake succeeded, but the peer presented no certificate"
                    : "handshake failed: " + refusal + " (no peer)");
        }
        return peer;
    }

    /** The negotiated protocol, e.g. {@code TLSv1.3}; only after a successful handshake. */
    public String protocol() {
        if (protocol == null) {
            throw new IllegalStateException("handshake failed: " + refusal + " (no protocol)");
        }
        return protocol;
    }

    /** Why the handshake failed; only after a failed handshake. */
    public PeerRefusal refusal() {
        if (refusal == null) {
            throw new IllegalStateException("handshake succeeded with " + peer + " (no refusal)");
        }
        return refusal;
    }

    /** Shortcut for {@code refusal().reason()}. */
    public RefusalReason reason() {
        return refusal().reason();
    }

    /** The exception Netty reported for the failed handshake, for diagnostics. */
    public Throwable cause() {
        return cause;
    }

    @Override
    public String toString() {
        return isSuccess() ? "success(" + (peer != null ? peer : "no peer certificate") + ", " + protocol + ")"
                : "failure(" + refusal + ")";
    }
}
