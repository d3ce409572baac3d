package io.fedgate.core.trust;

/**
 * Why a peer was refused during the TLS handshake. The {@link #code()} strings are stable public surface:
 * logs, metric tags and status show them, so they must not change.
 */
public enum RefusalReason {
    /** The presented SPIFFE ID is valid and trusted but not the one (or among the ones) this connection allows. */
    SPIFFE_ID_MISMATCH("spiffe-id-mismatch"),
    /** No trust bundle is configured for the trust domain of the presented SPIFFE ID. */
    UNTRUSTED_TRUST_DOMAIN("untrusted-trust-domain"),
    /** The chain does not validate to a root of the bundle of its trust domain (e.g. signed by a foreign CA). */
    UNTRUSTED_CHAIN("untrusted-chain"),
    /** The peer sent no certificate at all. */
    NO_PEER_CERTIFICATE("no-peer-certificate"),
    /** The leaf (or an intermediate) is past its notAfter. */
    CERTIFICATE_EXPIRED("certificate-expired"),
    /** The leaf (or an intermediate) is before its notBefore. */
    CERTIFICATE_NOT_YET_VALID("certificate-not-yet-valid"),
    /** The leaf's basicConstraints say CA: a CA certificate must not be used as an X509-SVID. */
    LEAF_IS_CA("leaf-is-ca"),
    /** The leaf has no URI SAN, so it carries no SPIFFE ID. */
    NO_URI_SAN("no-uri-san"),
    /** The leaf has more than one URI SAN; an X509-SVID has exactly one. */
    MULTIPLE_URI_SANS("multiple-uri-sans"),
    /** The leaf's URI SAN is not a valid SPIFFE ID. */
    INVALID_SPIFFE_ID("invalid-spiffe-id"),
    /** The leaf lacks digitalSignature, or has keyCertSign or cRLSign. */
    BAD_KEY_USAGE("bad-key-usage"),
    /**
     * The peer ended the handshake with an alert about our certificate (unknown_ca, bad_certificate, ...): it does
     * not trust us, and its own log or status says why.
     */
    REFUSED_BY_PEER("refused-by-peer"),
    /** Anything else: protocol errors, timeouts, the peer closing. */
    HANDSHAKE_FAILED("handshake-failed");

    private final String code;

    RefusalReason(String code) {
        this.code = code;
    }

    /** The stable kebab-case code, e.g. {@code spiffe-id-mismatch}. */
    public String code() {
        return code;
    }

    @Override
    public String toString() {
        return code;
    }
}
