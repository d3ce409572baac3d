package io.fedgate.core.pki;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;

import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;

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

    /** {@code -----BEGIN RSA PRIVATE KEY-----} or {@code -----BEGIN EC PRIVATE KEY-----}: OpenSSL's traditional form. */
    static String traditional(PrivateKey key) {
        // JcaPEMWriter maps an unencrypted RSA or EC key to its traditional (PKCS#1 / SEC1) block.
        return write(writer -> writer.writeObject(key));
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
