package io.fedgate.core.pki;

import static java.util.Objects.requireNonNull;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.List;

import io.fedgate.core.spiffe.SpiffeId;

/**
 * A certificate authority for one trust domain: a root or an intermediate with its private key. It mints
 * intermediates and X509-SVIDs; {@link #newSvid(SpiffeId)} and {@link #newLeaf()} give builders that can
 * also mint deliberately invalid leaves (expired, CA as leaf, no or two URI SANs, wrong key usage) for tests.
 *
 * <pre>{@code
 * CertificateAuthority green = CertificateAuthority.createRoot("green-mesh.local");
 * IssuedCertificate svid = green.issueSvid(SpiffeId.ofServiceAccount("green-mesh.local", "green-mesh-system",
 *         "ingress-red-mesh-service-account"));
 * svid.writeIstioFiles(Path.of("/etc/certs"));
 * }</pre>
 *
 * <p>Instances are immutable and thread-safe. The keys live in memory only; this is meant for tests, demos
 * and bootstrapping, not as a production CA.
 */
public final class CertificateAuthority {
    private final String trustDomain;
    private final List<X509Certificate> chain;
    private final PrivateKey privateKey;
    private final Clock clock;

    private CertificateAuthority(String trustDomain, List<X509Certificate> chain, PrivateKey privateKey, Clock clock) {
        this.trustDomain = trustDomain;
        this.chain = chain;
        this.privateKey = privateKey;
        this.clock = clock;
    }

    /** A new self-signed EC P-256 root for {@code trustDomain}, valid for ten years from now. */
    public static CertificateAuthority createRoot(String trustDomain) {
        return newRoot(trustDomain).build();
    }

    /** A builder for a self-signed root for {@code trustDomain} (key type, subject, validity, clock). */
    public static CertificateAuthorityBuilder newRoot(String trustDomain) {
        SpiffeId.validateTrustDomain(trustDomain);
        return new CertificateAuthorityBuilder(trustDomain, null);
    }

    /**
     * Wraps an existing CA, e.g. one loaded from PEM files.
     *
     * @param chainToRoot this CA's certificate first, then its issuers up to and including the root
     * @param privateKey  the key of the first certificate
     */
    public static CertificateAuthority of(String trustDomain, List<X509Certificate> chainToRoot, PrivateKey privateKey,
                                          Clock clock) {
        SpiffeId.validateTrustDomain(trustDomain);
        requireNonNull(chainToRoot, "chainToRoot");
        requireNonNull(privateKey, "privateKey");
        requireNonNull(clock, "clock");
        if (chainToRoot.isEmpty()) {
            throw new IllegalArgumentException("chainToRoot is empty (expected: the CA certificate, then its issuers)");
        }
        return new CertificateAuthority(trustDomain, List.copyOf(chainToRoot), privateKey, clock);
    }

    static CertificateAuthority of(String trustDomain, X509Certificate certificate, CertificateAuthority issuer,
                                   PrivateKey privateKey, Clock clock) {
        List<X509Certificate> chain;
        if (issuer == null) {
            chain = List.of(certificate);
        } else {
            X509Certificate[] certificates = new X509Certificate[issuer.chain.size() + 1];
            certificates[0] = certificate;
            for (int i = 0; i < issuer.chain.size(); i++) {
                certificates[i + 1] = issuer.chain.get(i);
            }
            chain = List.of(certificates);
        }
        return new CertificateAuthority(trustDomain, chain, privateKey, clock);
    }

    /** A builder for an intermediate CA signed by this one, in the same trust domain and on the same clock. */
    public CertificateAuthorityBuilder newIntermediate() {
        return new CertificateAuthorityBuilder(trustDomain, this);
    }

    /** A new EC P-256 intermediate signed by this CA, valid as long as this CA allows (at most five years). */
    public CertificateAuthority createIntermediate() {
        return newIntermediate().build();
    }

    /** A builder for an X509-SVID carrying {@code id} as its only URI SAN; every property can be overridden. */
    public SvidBuilder newSvid(SpiffeId id) {
        requireNonNull(id, "id");
        return new SvidBuilder(this).uriSans(id.toString());
    }

    /** A builder for a leaf with no SAN at all; add URI or DNS SANs as the test needs. */
    public SvidBuilder newLeaf() {
        return new SvidBuilder(this);
    }

    /** A valid X509-SVID for {@code id}: EC P-256, valid for 24 hours, the defaults of {@link SvidBuilder}. */
    public IssuedCertificate issueSvid(SpiffeId id) {
        return newSvid(id).issue();
    }

    /** The trust domain this CA issues for, e.g. {@code green-mesh.local}. */
    public String trustDomain() {
        return trustDomain;
    }

    /** This CA's own certificate. */
    public X509Certificate certificate() {
        return chain.get(0);
    }

    /** The root at the top of this CA's chain; for a root CA, {@link #certificate()} itself. */
    public X509Certificate root() {
        return chain.get(chain.size() - 1);
    }

    /** This CA's certificate followed by its issuers, up to and including the root. */
    public List<X509Certificate> chain() {
        return chain;
    }

    /** The signing key of {@link #certificate()}. */
    public PrivateKey privateKey() {
        return privateKey;
    }

    /** The clock that "now" of every certificate this CA mints comes from. */
    public Clock clock() {
        return clock;
    }

    /** This CA's own certificate as PEM; for a root, the content of a {@code root-cert.pem}. */
    public String certificatePem() {
        return PemText.certificates(List.of(certificate()));
    }

    /** This CA's private key as PKCS#8 PEM, to keep a CA across runs (reload it with {@link #of}). */
    public String privateKeyPem() {
        return PemText.pkcs8(privateKey);
    }

    /** This CA's chain up to and including the root as PEM, to keep a CA across runs (reload it with {@link #of}). */
    public String chainPem() {
        return PemText.certificates(chain);
    }

    /** The root certificate as PEM, the content of {@code root-cert.pem} for every SVID this CA issues. */
    public String rootCertificatePem() {
        return PemText.certificates(List.of(root()));
    }

    @Override
    public String toString() {
        return "CertificateAuthority{" + certificate().getSubjectX500Principal().getName()
                + ", trustDomain=" + trustDomain + ", depth=" + (chain.size() - 1) + '}';
    }
}
