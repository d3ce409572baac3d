package io.fedgate.core.tls;

import static java.util.Objects.requireNonNull;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

/**
 * Reads PEM text: certificate bundles ({@code CERTIFICATE} blocks) and private keys in PKCS#8
 * ({@code PRIVATE KEY}) or traditional form ({@code RSA PRIVATE KEY}, {@code EC PRIVATE KEY}).
 * Every failure is an {@link IllegalArgumentException} whose message starts with the source it was given,
 * so that a caller can report it as is.
 */
public final class Pem {
    private Pem() {
    }

    /**
     * Parses every {@code CERTIFICATE} block of {@code pem}, in order.
     *
     * @param source names the input in error messages, e.g. a file path or {@code ConfigMap ns/name data.root-cert.pem}
     * @throws IllegalArgumentException if the text holds no certificate or a block does not parse
     */
    public static List<X509Certificate> readCertificates(String pem, String source) {
        requireNonNull(pem, "pem");
        requireNonNull(source, "source");
        if (!pem.contains("-----BEGIN CERTIFICATE-----")) {
            throw new IllegalArgumentException(source + ": no PEM CERTIFICATE block found");
        }
        try {
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            List<X509Certificate> certificates = new ArrayList<>();
            for (var certificate : factory.generateCertificates(
                    new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)))) {
                certificates.add((X509Certificate) certificate);
            }
            if (certificates.isEmpty()) {
                throw new IllegalArgumentException(source + ": no PEM CERTIFICATE block found");
            }
            return List.copyOf(certificates);
        } catch (CertificateException e) {
            throw new IllegalArgumentException(source + ": certificate does not parse: " + e.getMessage(), e);
        }
    }

    /** Reads a certificate bundle from a file; errors name the file. */
    public static List<X509Certificate> readCertificates(Path file) {
        return readCertificates(readFile(file), file.toString());
    }

    /**
     * Parses the first private key in {@code pem}: PKCS#8 or traditional RSA / EC (SEC1). Encrypted keys are not
     * supported (a gateway's key is mounted in the clear, as Istio mounts it).
     *
     * @throws IllegalArgumentException if no key is found or it does not parse
     */
    public static PrivateKey readPrivateKey(String pem, String source) {
        requireNonNull(pem, "pem");
        requireNonNull(source, "source");
        try (PEMParser parser = new PEMParser(new StringReader(pem))) {
            JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
            Object block;
            while ((block = parser.readObject()) != null) {
                if (block instanceof PrivateKeyInfo) {
                    return converter.getPrivateKey((PrivateKeyInfo) block);
                }
                if (block instanceof PEMKeyPair) {
                    // Only the private part: SEC1 makes the public key optional, and getKeyPair fails without it.
                    return converter.getPrivateKey(((PEMKeyPair) block).getPrivateKeyInfo());
                }
                if (block.getClass().getSimpleName().contains("Encrypted")) {
                    throw new IllegalArgumentException(source + ": encrypted private keys are not supported");
                }
            }
        } catch (IOException e) {
            throw new IllegalArgumentException(source + ": private key does not parse: " + e.getMessage(), e);
        }
        throw new IllegalArgumentException(source + ": no PEM PRIVATE KEY block found");
    }

    /** Reads a private key from a file; errors name the file. */
    public static PrivateKey readPrivateKey(Path file) {
        return readPrivateKey(readFile(file), file.toString());
    }

    private static String readFile(Path file) {
        requireNonNull(file, "file");
        try {
            return Files.readString(file, StandardCharsets.US_ASCII);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(file + ": no such file", e);
        } catch (AccessDeniedException e) {
            throw new IllegalArgumentException(file + ": cannot read: permission denied", e);
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": cannot read: " + e.getMessage(), e);
        }
    }
}
