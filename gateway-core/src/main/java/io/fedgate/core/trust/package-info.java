/**
 * Whom a gateway trusts and accepts: per-trust-domain root bundles, X509-SVID verification, authorization of the
 * verified SPIFFE ID, and the trust manager that applies both inside the TLS handshake. Every refusal carries a
 * {@link io.fedgate.core.trust.RefusalReason} whose code logs, metrics and status report.
 */
package io.fedgate.core.trust;
