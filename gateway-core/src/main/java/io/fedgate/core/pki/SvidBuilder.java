package io.fedgate.core.pki;

import static java.util.Objects.requireNonNull;

import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;

/**
 * Builds a leaf certificate issued by a {@link CertificateAuthority}. The defaults give a valid X509-SVID
 * shaped like Istio's: EC P-256, empty subject with a critical SAN extension, basicConstraints CA=false,
 * key usage digitalSignature + keyEncipherment, extended key usage serverAuth + clientAuth, valid from five
 * minutes ago for 24 hours. Every property can be changed to mint the invalid certificates a verifier must refuse.
 */
public final class SvidBuilder {
    /** How long a leaf is valid by default: Istio's default workload certificate lifetime. */
    public static final Duration DEFAULT_VALIDITY = Duration.ofHours(24);

    private final CertificateAuthority issuer;
    private final List<String> uriSans = new ArrayList<>();
    private final List<String> dnsSans = new ArrayList<>();
    private Set<KeyUsage> keyUsages = EnumSet.of(KeyUsage.DIGITAL_SIGNATURE, KeyUsage.KEY_ENCIPHERMENT);
    private KeyType keyType = KeyType.EC_P256;
    private String subject = "";
    private Instant notBefore;
    private Instant notAfter;
    private Duration validity = DEFAULT_VALIDITY;
    private boolean ca;

    SvidBuilder(CertificateAuthority issuer) {
        this.issuer = issuer;
    }

    /**
     * Replaces the URI SANs. The strings are written as given, unchecked, so that tests can mint SVIDs with
     * malformed IDs; no argument means no URI SAN.
     */
    public SvidBuilder uriSans(String... uris) {
        uriSans.clear();
        uriSans.addAll(Arrays.asList(requireNonNull(uris, "uris")));
        return this;
    }

    /** Adds a URI SAN after the existing ones (a second one makes an invalid SVID). */
    public SvidBuilder addUriSan(String uri) {
        uriSans.add(requireNonNull(uri, "uri"));
        return this;
    }

    /** Replaces the DNS SANs (default none). X509-SVIDs may carry them; verifiers ignore them. */
    public SvidBuilder dnsSans(String... names) {
        dnsSans.clear();
        dnsSans.addAll(Arrays.asList(requireNonNull(names, "names")));
        return this;
    }

    /** The subject as an RFC 4514 string (default empty, as Istio issues them). */
    public SvidBuilder subject(String subject) {
        this.subject = requireNonNull(subject, "subject");
        return this;
    }

    /** The key algorithm of the leaf (default {@link KeyType#EC_P256}). */
    public SvidBuilder keyType(KeyType keyType) {
        this.keyType = requireNonNull(keyType, "keyType");
        return this;
    }

    /** Replaces the key usage bits; none at all still writes the extension, with no bit set. */
    public SvidBuilder keyUsage(KeyUsage... usages) {
        requireNonNull(usages, "usages");
        this.keyUsages = usages.length == 0 ? EnumSet.noneOf(KeyUsage.class) : EnumSet.copyOf(Arrays.asList(usages));
        return this;
    }

    /** Leaves the key usage extension out altogether. */
    public SvidBuilder withoutKeyUsage() {
        this.keyUsages = null;
        return this;
    }

    /** Whether basicConstraints says CA (default {@code false}); {@code true} mints a CA certificate used as a leaf. */
    public SvidBuilder ca(boolean ca) {
        this.ca = ca;
        return this;
    }

    /** Start of validity (default five minutes before now); may be in the future to mint a not-yet-valid leaf. */
    public SvidBuilder notBefore(Instant notBefore) {
        this.notBefore = requireNonNull(notBefore, "notBefore");
        return this;
    }

    /** End of validity; overrides {@link #validity(Duration)}, and may be in the past to mint an expired leaf. */
    public SvidBuilder notAfter(Instant notAfter) {
        this.notAfter = requireNonNull(notAfter, "notAfter");
        return this;
    }

    /** Validity counted from now (default {@link #DEFAULT_VALIDITY}). */
    public SvidBuilder validity(Duration validity) {
        requireNonNull(validity, "validity");
        if (validity.isNegative() || validity.isZero()) {
            throw new IllegalArgumentException("validity: " + validity + " (expected: > 0)");
        }
        this.validity = validity;
        return this;
    }

    /** Generates the key and mints the certificate. */
    public IssuedCertificate issue() {
        Instant now = issuer.clock().instant().truncatedTo(ChronoUnit.SECONDS);
        Instant start = notBefore != null ? notBefore : now.minus(CertificateAuthorityBuilder.DEFAULT_BACKDATE);
        Instant end = notAfter != null ? notAfter : now.plus(validity);
        if (!end.isAfter(start)) {
            throw new IllegalArgumentException("notAfter " + end + " is not after notBefore " + start);
        }
        String name = subject;
        if (name.isEmpty() && uriSans.isEmpty() && dnsSans.isEmpty()) {
            // A certificate with neither subject nor SAN names nothing; RFC 5280 forbids it and parsers reject it.
            name = "CN=leaf without SAN";
        }

        KeyPair keyPair = keyType.generate();
        CertificateSigner signer = new CertificateSigner(CertificateSigner.name(name), keyPair.getPublic(),
                issuer.certificate(), issuer.privateKey(), start, end)
                .extension(Extension.basicConstraints, true, new BasicConstraints(ca))
                .extension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(
                        new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
        if (keyUsages != null) {
            signer.extension(Extension.keyUsage, true, KeyUsage.toExtension(keyUsages));
        }
        GeneralNames sans = subjectAlternativeNames();
        if (sans != null) {
            // RFC 5280 4.2.1.6 and the X509-SVID standard: with an empty subject the SAN extension is critical.
            signer.extension(Extension.subjectAlternativeName, name.isEmpty(), sans);
        }
        X509Certificate certificate = signer.sign();

        List<X509Certificate> chain = new ArrayList<>();
        chain.add(certificate);
        // The leaf's chain carries the intermediates but not the root: peers already hold the root in their bundle.
        List<X509Certificate> issuers = issuer.chain();
        chain.addAll(issuers.subList(0, issuers.size() - 1));
        return new IssuedCertificate(chain, keyPair.getPrivate(), issuer.root());
    }

    private GeneralNames subjectAlternativeNames() {
        List<GeneralName> names = new ArrayList<>();
        for (String uri : uriSans) {
            names.add(new GeneralName(GeneralName.uniformResourceIdentifier, uri));
        }
        for (String dns : dnsSans) {
            names.add(new GeneralName(GeneralName.dNSName, dns));
        }
        return names.isEmpty() ? null : new GeneralNames(names.toArray(new GeneralName[0]));
    }
}
