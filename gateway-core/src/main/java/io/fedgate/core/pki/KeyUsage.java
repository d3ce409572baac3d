package io.fedgate.core.pki;

/**
 * The X.509 key usage bits (RFC 5280 section 4.2.1.3) a certificate can be minted with. An X509-SVID
 * leaf must carry {@link #DIGITAL_SIGNATURE} and must not carry {@link #KEY_CERT_SIGN} or {@link #CRL_SIGN}.
 */
public enum KeyUsage {
    DIGITAL_SIGNATURE(org.bouncycastle.asn1.x509.KeyUsage.digitalSignature),
    NON_REPUDIATION(org.bouncycastle.asn1.x509.KeyUsage.nonRepudiation),
    KEY_ENCIPHERMENT(org.bouncycastle.asn1.x509.KeyUsage.keyEncipherment),
    DATA_ENCIPHERMENT(org.bouncycastle.asn1.x509.KeyUsage.dataEncipherment),
    KEY_AGREEMENT(org.bouncycastle.asn1.x509.KeyUsage.keyAgreement),
    KEY_CERT_SIGN(org.bouncycastle.asn1.x509.KeyUsage.keyCertSign),
    CRL_SIGN(org.bouncycastle.asn1.x509.KeyUsage.cRLSign);

    private final int bit;

    KeyUsage(int bit) {
        this.bit = bit;
    }

    static org.bouncycastle.asn1.x509.KeyUsage toExtension(Iterable<KeyUsage> usages) {
        int bits = 0;
        for (KeyUsage usage : usages) {
            bits |= usage.bit;
        }
        return new org.bouncycastle.asn1.x509.KeyUsage(bits);
    }
}
