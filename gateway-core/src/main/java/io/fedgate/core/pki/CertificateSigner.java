package io.fedgate.core.pki;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Date;

import javax.security.auth.x500.X500Principal;

import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** Builds one X.509 v3 certificate: fills in serial and key identifiers, collects extensions, signs. */
final class CertificateSigner {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final X509v3CertificateBuilder builder;
    private final PrivateKey issuerKey;

    /**
     * @param issuer the issuing CA's certificate, or {@code null} for a self-signed certificate (then the
     *               subject is also the issuer and {@code issuerKey} must belong to {@code subjectKey})
     */
    CertificateSigner(X500Name subject, PublicKey subjectKey, X509Certificate issuer, PrivateKey issuerKey,
                      Instant notBefore, Instant notAfter) {
        X500Name issuerName = issuer == null ? subject : X500Name.getInstance(issuer.getSubjectX500Principal().getEncoded());
        this.builder = new JcaX509v3CertificateBuilder(issuerName, serialNumber(),
                Date.from(notBefore), Date.from(notAfter), subject, subjectKey);
        this.issuerKey = issuerKey;
        try {
            JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
            extension(org.bouncycastle.asn1.x509.Extension.subjectKeyIdentifier, false,
                    utils.createSubjectKeyIdentifier(subjectKey));
            extension(org.bouncycastle.asn1.x509.Extension.authorityKeyIdentifier, false,
                    utils.createAuthorityKeyIdentifier(issuer == null ? subjectKey : issuer.getPublicKey()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-1 is unavailable for key identifiers: " + e, e);
        }
    }

    /**
     * Parses an RFC 4514 name the way the JDK does, so that {@code CN=Root CA,O=td} is encoded O first and prints
     * back as written ({@code X500Name}'s own parser keeps the written order in the encoding, which reverses it).
     */
    static X500Name name(String rfc4514) {
        return X500Name.getInstance(new X500Principal(rfc4514).getEncoded());
    }

    CertificateSigner extension(ASN1ObjectIdentifier oid, boolean critical, ASN1Encodable value) {
        try {
            builder.addExtension(oid, critical, value);
        } catch (CertIOException e) {
            throw new IllegalArgumentException("cannot encode extension " + oid + ": " + e.getMessage(), e);
        }
        return this;
    }

    X509Certificate sign() {
        try {
            String algorithm = KeyType.of(issuerKey).signatureAlgorithm();
            return new JcaX509CertificateConverter().getCertificate(
                    builder.build(new JcaContentSignerBuilder(algorithm).build(issuerKey)));
        } catch (OperatorCreationException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign certificate: " + e, e);
        }
    }

    /** A positive 127-bit random serial: unique in practice, and within RFC 5280's 20-octet limit. */
    private static BigInteger serialNumber() {
        return new BigInteger(127, RANDOM).setBit(0);
    }
}
