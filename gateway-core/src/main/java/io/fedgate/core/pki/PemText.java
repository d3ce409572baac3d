package io.fedgate.core.pki;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.ECPrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;

import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.util.io.pem.PemObject;

/** Writes certificates and keys as PEM text, the encoding Istio mounts and {@code io.fedgate.core.tls.Pem} reads. */
final class PemText {
    private PemText() {
    }

    static String certificates(List<X509Certificate> certificates) {
        return write(writer -> {
            for (X509Certificate certificate : certificates) {
                writer.writeObject(certificate);
            }
        });
    }

    /** {@code -----BEGIN PRIVATE KEY-----}: PKCS#8, what Istio writes. */
    static String pkcs8(PrivateKey key) {
        return write(writer -> writer.writeObject(new JcaPKCS8Generator(key, null)));
    }

    /**
     * {@code -----BEGIN RSA PRIVATE KEY-----} (PKCS#1) or {@code -----BEGIN EC PRIVATE KEY-----} (SEC1, RFC 5915):
     * OpenSSL's traditional form. An EC key is written as OpenSSL writes it, with its curve and public key.
     */
    static String traditional(PrivateKey key, PublicKey publicKey) {
        if (!(key instanceof ECPrivateKey)) {
            // JcaPEMWriter maps an unencrypted RSA key to its PKCS#1 block.
            return write(writer -> writer.writeObject(key));
        }
        // The SEC1 structure inside a JDK PKCS#8 EC key leaves the curve to the outer algorithm identifier and
        // omits the public key; on its own it would name no curve, so rebuild it with both.
        PrivateKeyInfo info = PrivateKeyInfo.getInstance(key.getEncoded());
        org.bouncycastle.asn1.sec.ECPrivateKey inner;
        try {
            inner = org.bouncycastle.asn1.sec.ECPrivateKey.getInstance(info.parsePrivateKey());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot decode EC private key", e);
        }
        org.bouncycastle.asn1.sec.ECPrivateKey sec1 = new org.bouncycastle.asn1.sec.ECPrivateKey(
                ((ECPrivateKey) key).getParams().getOrder().bitLength(), inner.getKey(),
                SubjectPublicKeyInfo.getInstance(publicKey.getEncoded()).getPublicKeyData(),
                info.getPrivateKeyAlgorithm().getParameters());
        return write(writer -> writer.writeObject(new PemObject("EC PRIVATE KEY", sec1.getEncoded())));
    }

    private interface Body {
        void writeTo(JcaPEMWriter writer) throws IOException;
    }

    private static String write(Body body) {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
            body.writeTo(writer);
        } catch (IOException e) {
            // Writing to a StringWriter does not fail; an encoding error of our own key is a bug.
            throw new UncheckedIOException("cannot encode PEM", e);
        }
        return text.toString();
    }
}
