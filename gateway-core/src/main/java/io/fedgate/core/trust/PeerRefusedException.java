package io.fedgate.core.trust;

import static java.util.Objects.requireNonNull;

import java.security.cert.CertificateException;

/**
 * Thrown by the trust manager when a peer's certificate is refused, so the TLS handshake fails. The message is
 * {@code <code>: <detail>}, where the detail names what the peer presented and what was expected, e.g.
 * {@code spiffe-id-mismatch: presented spiffe://green-mesh.local/ns/x/sa/y, expected spiffe://green-mesh.local/ns/...}.
 */
public final class PeerRefusedException extends CertificateException {
    private static final long serialVersionUID = 1L;

    private final RefusalReason reason;
    private final String detail;

    /** A refusal for {@code reason}; {@code detail} says what was presented and what was expected. */
    public PeerRefusedException(RefusalReason reason, String detail) {
        this(reason, detail, null);
    }

    /**
     * A refusal with the lower-level failure that caused it. TLS stacks look at the cause to choose the alert
     * they send, e.g. a {@link java.security.cert.CertPathValidatorException} with reason {@code EXPIRED} becomes
     * {@code certificate_expired}.
     */
    public PeerRefusedException(RefusalReason reason, String detail, Throwable cause) {
        super(requireNonNull(reason, "reason").code() + ": " + requireNonNull(detail, "detail"), cause);
        this.reason = reason;
        this.detail = detail;
    }

    /** Why the peer was refused. */
    public RefusalReason reason() {
        return reason;
    }

    /** The message without the leading reason code. */
    public String detail() {
        return detail;
    }

    /** This refusal as a value, for logs, metrics and status. */
    public PeerRefusal toRefusal() {
        return PeerRefusal.of(reason, detail);
    }
}
