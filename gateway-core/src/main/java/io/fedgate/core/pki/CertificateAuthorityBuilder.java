package io.fedgate.core.pki;

import static java.util.Objects.requireNonNull;

import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.EnumSet;

import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;

/**
 * Builds a root (self-signed) or intermediate CA. Defaults: EC P-256; subject {@code CN=Root CA,O=<trust domain>}
 * or {@code CN=Intermediate CA,O=<trust domain>}; a root is valid for ten years, an intermediate for five
 * (never past its issuer); both start five minutes in the past to tolerate clock skew between meshes.
 */
public final class CertificateAuthorityBuilder {
    /** How long a root is valid by default. */
    public static final Duration DEFAULT_ROOT_VALIDITY = Duration.ofDays(3650);
    /** How long an intermediate is valid by default (capped at its issuer's notAfter). */
    public static final Duration DEFAULT_INTERMEDIATE_VALIDITY = Duration.ofDays(1825);
    /** How far in the past certificates start by default, for peers whose clocks run a little behind. */
    public static final Duration DEFAULT_BACKDATE = Duration.ofMinutes(5);

    private final String trustDomain;
    private final CertificateAuthority issuer;
    private Clock clock;
    private KeyType keyType = KeyType.EC_P256;
    private String subject;
    private Instant notBefore;
    private Instant notAfter;
    private Duration validity;
    private boolean ca = true;

    CertificateAuthorityBuilder(String trustDomain, CertificateAuthority issuer) {
        this.trustDomain = trustDomain;
        this.issuer = issuer;
        this.clock = issuer == null ? Clock.systemUTC() : issuer.clock();
    }

    /** The key algorithm of the new CA (default {@link KeyType#EC_P256}). */
    public CertificateAuthorityBuilder keyType(KeyType keyType) {
        this.keyType = requireNonNull(keyType, "keyType");
        return this;
    }

    /** The subject as an RFC 4514 string, e.g. {@code CN=Root CA,O=green-mesh.local}. */
    public CertificateAuthorityBuilder subject(String subject) {
        this.subject = requireNonNull(subject, "subject");
        return this;
    }

    /** The clock "now" comes from, for this CA and every certificate it issues (roots only; intermediates inherit). */
    public CertificateAuthorityBuilder clock(Clock clock) {
        if (issuer != null) {
            throw new IllegalStateException("an intermediate uses its issuer's clock");
        }
        this.clock = requireNonNull(clock, "clock");
        return this;
    }

    /** Start of validity (default: five minutes before now). */
    public CertificateAuthorityBuilder notBefore(Instant notBefore) {
        this.notBefore = requireNonNull(notBefore, "notBefore");
        return this;
    }

    /** End of validity; overrides {@link #validity(Duration)}. */
    public CertificateAuthorityBuilder notAfter(Instant notAfter) {
        this.notAfter = requireNonNull(notAfter, "notAfter");
        return this;
    }

    /** Validity counted from now (not from the backdated notBefore). */
    public CertificateAuthorityBuilder validity(Duration validity) {
        requireNonNull(validity, "validity");
        if (validity.isNegative() || validity.isZero()) {
            throw new IllegalArgumentException("validity: " + validity + " (expected: > 0)");
        }
        this.validity = validity;
        return this;
    }

    /**
     * Whether basicConstraints says CA (default {@code true}). {@code false} mints a broken intermediate
     * that a verifier must refuse to chain through; it exists for tests.
     */
    public CertificateAuthorityBuilder ca(boolean ca) {
        this.ca = ca;
        return this;
    }

    /** Generates the key and mints the certificate. */
    public CertificateAuthority build() {
        Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
        Instant start = notBefore != null ? notBefore : now.minus(DEFAULT_BACKDATE);
        Instant end = notAfter;
        if (end == null) {
            end = now.plus(validity != null ? validity
                    : issuer == null ? DEFAULT_ROOT_VALIDITY : DEFAULT_INTERMEDIATE_VALIDITY);
            if (issuer != null && end.isAfter(issuer.certificate().getNotAfter().toInstant())) {
                end = issuer.certificate().getNotAfter().toInstant();
            }
        }
        String name = subject != null ? subject
                : (issuer == null ? "CN=Root CA,O=" : "CN=Intermediate CA,O=") + trustDomain;

        KeyPair keyPair = keyType.generate();
        X509Certificate issuerCertificate = issuer == null ? null : issuer.certificate();
        X509Certificate certificate = new CertificateSigner(CertificateSigner.name(name), keyPair.getPublic(),
                issuerCertificate, issuer == null ? keyPair.getPrivate() : issuer.privateKey(), start, end)
                .extension(Extension.basicConstraints, true, new BasicConstraints(ca))
                .extension(Extension.keyUsage, true,
                        KeyUsage.toExtension(EnumSet.of(KeyUsage.KEY_CERT_SIGN, KeyUsage.CRL_SIGN)))
                .sign();
        return CertificateAuthority.of(trustDomain, certificate, issuer, keyPair.getPrivate(), clock);
    }
}
