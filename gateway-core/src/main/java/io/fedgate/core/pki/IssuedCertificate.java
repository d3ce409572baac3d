package io.fedgate.core.pki;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;

import io.fedgate.core.tls.GatewayIdentity;

/**
 * A minted leaf certificate with its private key: the chain a workload presents (leaf first, then any
 * intermediates, no root) and the root that chain ends in. Writes the PEM files Istio mounts.
 */
public final class IssuedCertificate {
    private final List<X509Certificate> chain;
    private final PrivateKey privateKey;
    private final X509Certificate root;

    IssuedCertificate(List<X509Certificate> chain, PrivateKey privateKey, X509Certificate root) {
        this.chain = List.copyOf(chain);
        this.privateKey = requireNonNull(privateKey, "privateKey");
        this.root = requireNonNull(root, "root");
    }

    /** The leaf. */
    public X509Certificate certificate() {
        return chain.get(0);
    }

    /** The leaf followed by the intermediates that issued it, as a TLS peer sends them; without the root. */
    public List<X509Certificate> chain() {
        return chain;
    }

    /** The leaf's private key. */
    public PrivateKey privateKey() {
        return privateKey;
    }

    /** The root of the issuing CA, the content of {@code root-cert.pem}. */
    public X509Certificate root() {
        return root;
    }

    /** {@link #chain()} as PEM, the content of {@code cert-chain.pem}. */
    public String certChainPem() {
        return PemText.certificates(chain);
    }

    /** The private key as PKCS#8 PEM ({@code BEGIN PRIVATE KEY}), the content of {@code key.pem}. */
    public String privateKeyPem() {
        return PemText.pkcs8(privateKey);
    }

    /** The private key in OpenSSL's traditional PEM ({@code BEGIN EC PRIVATE KEY} / {@code BEGIN RSA PRIVATE KEY}). */
    public String privateKeyPemTraditional() {
        return PemText.traditional(privateKey, certificate().getPublicKey());
    }

    /** {@link #root()} as PEM. */
    public String rootCertPem() {
        return PemText.certificates(List.of(root));
    }

    /**
     * Writes Istio's mount layout into {@code directory} (created if missing): {@value GatewayIdentity#CERT_CHAIN_FILE},
     * {@value GatewayIdentity#KEY_FILE} (owner-only where the file system has POSIX permissions) and
     * {@value GatewayIdentity#ROOT_CERT_FILE}. Existing files are replaced.
     *
     * @return {@code directory}
     */
    public Path writeIstioFiles(Path directory) {
        requireNonNull(directory, "directory");
        try {
            Files.createDirectories(directory);
            Files.writeString(directory.resolve(GatewayIdentity.CERT_CHAIN_FILE), certChainPem(), StandardCharsets.US_ASCII);
            Path key = directory.resolve(GatewayIdentity.KEY_FILE);
            Files.deleteIfExists(key);
            if (Files.getFileStore(directory).supportsFileAttributeView("posix")) {
                // Created owner-only before the key is written, so it is never readable by others, not even briefly.
                Files.createFile(key, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            }
            Files.writeString(key, privateKeyPem(), StandardCharsets.US_ASCII);
            Files.writeString(directory.resolve(GatewayIdentity.ROOT_CERT_FILE), rootCertPem(), StandardCharsets.US_ASCII);
            return directory;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write certificates to " + directory + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        X509Certificate leaf = certificate();
        return "IssuedCertificate{subject=" + leaf.getSubjectX500Principal().getName()
                + ", issuer=" + leaf.getIssuerX500Principal().getName()
                + ", notAfter=" + leaf.getNotAfter().toInstant() + '}';
    }
}
