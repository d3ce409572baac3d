package io.fedgate.core.tls;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.List;

import io.fedgate.core.spiffe.SpiffeId;
import io.fedgate.core.trust.PeerRefusedException;
import io.fedgate.core.trust.X509Svids;

/**
 * A gateway's own identity: the certificate chain it presents (leaf first), the leaf's private key, the root(s) of
 * its own mesh, and the SPIFFE ID of the leaf. Loaded from the three PEM files Istio mounts into a gateway pod,
 * by default {@value #DEFAULT_CERT_CHAIN_PATH}, {@value #DEFAULT_KEY_PATH} and {@value #DEFAULT_ROOT_CERT_PATH}.
 *
 * <p>Loading checks what would otherwise only fail at the first handshake, and names the file at fault: every
 * file parses; the leaf carries exactly one valid SPIFFE ID; the key belongs to the leaf; the chain is signed up to
 * one of the roots; the roots are CA certificates. EC and RSA keys, PKCS#8 or traditional PEM, are accepted.
 * Validity dates are not checked here: an expiring certificate is a runtime condition that peers report.
 *
 * <p>Immutable. {@link #toString()} never shows the key.
 */
public final class GatewayIdentity {
    /** File name of the certificate chain in Istio's mount layout. */
    public static final String CERT_CHAIN_FILE = "cert-chain.pem";
    /** File name of the private key in Istio's mount layout. */
    public static final String KEY_FILE = "key.pem";
    /** File name of the mesh's root certificate(s) in Istio's mount layout. */
    public static final String ROOT_CERT_FILE = "root-cert.pem";
    /** Where Istio mounts a gateway's certificates. */
    public static final String DEFAULT_DIRECTORY_PATH = "/etc/certs";
    /** Default of {@code --cert-chain}. */
    public static final String DEFAULT_CERT_CHAIN_PATH = "/etc/certs/cert-chain.pem";
    /** Default of {@code --key}. */
    public static final String DEFAULT_KEY_PATH = "/etc/certs/key.pem";
    /** Default of {@code --root-cert}. */
    public static final String DEFAULT_ROOT_CERT_PATH = "/etc/certs/root-cert.pem";
    /** {@link #DEFAULT_CERT_CHAIN_PATH} as a path. */
    public static final Path DEFAULT_CERT_CHAIN = Path.of(DEFAULT_CERT_CHAIN_PATH);
    /** {@link #DEFAULT_KEY_PATH} as a path. */
    public static final Path DEFAULT_KEY = Path.of(DEFAULT_KEY_PATH);
    /** {@link #DEFAULT_ROOT_CERT_PATH} as a path. */
    public static final Path DEFAULT_ROOT_CERT = Path.of(DEFAULT_ROOT_CERT_PATH);

    private final List<X509Certificate> certificateChain;
    private final PrivateKey privateKey;
    private final List<X509Certificate> roots;
    private final SpiffeId spiffeId;

    private GatewayIdentity(List<X509Certificate> certificateChain, PrivateKey privateKey, List<X509Certificate> roots,
                            SpiffeId spiffeId) {
        this.certificateChain = certificateChain;
        this.privateKey = privateKey;
        this.roots = roots;
        this.spiffeId = spiffeId;
    }

    /**
     * Loads and checks the three files.
     *
     * @throws IllegalArgumentException whose message starts with the file at fault
     */
    public static GatewayIdentity load(Path certChain, Path key, Path rootCert) {
        requireNonNull(certChain, "certChain");
        requireNonNull(key, "key");
        requireNonNull(rootCert, "rootCert");
        return check(Pem.readCertificates(certChain), Pem.readPrivateKey(key), Pem.readCertificates(rootCert),
                certChain.toString(), key.toString(), rootCert.toString());
    }

    /** Loads {@value #CERT_CHAIN_FILE}, {@value #KEY_FILE} and {@value #ROOT_CERT_FILE} from {@code directory}. */
    public static GatewayIdentity loadDirectory(Path directory) {
        requireNonNull(directory, "directory");
        return load(directory.resolve(CERT_CHAIN_FILE), directory.resolve(KEY_FILE), directory.resolve(ROOT_CERT_FILE));
    }

    /**
     * An identity from objects already in memory, with the same checks as {@link #load}.
     *
     * @throws IllegalArgumentException if a check fails
     */
    public static GatewayIdentity of(List<X509Certificate> certificateChain, PrivateKey privateKey,
                                     List<X509Certificate> roots) {
        requireNonNull(certificateChain, "certificateChain");
        requireNonNull(privateKey, "privateKey");
        requireNonNull(roots, "roots");
        return check(certificateChain, privateKey, roots, "certificate chain", "private key", "roots");
    }

    private static GatewayIdentity check(List<X509Certificate> chain, PrivateKey key, List<X509Certificate> roots,
                                         String chainSource, String keySource, String rootSource) {
        if (chain.isEmpty()) {
            throw new IllegalArgumentException(chainSource + ": no certificate");
        }
        if (roots.isEmpty()) {
            throw new IllegalArgumentException(rootSource + ": no certificate");
        }
        X509Certificate leaf = chain.get(0);
        SpiffeId id;
        try {
            id = X509Svids.spiffeId(leaf);
        } catch (PeerRefusedException e) {
            throw new IllegalArgumentException(chainSource + ": the first certificate is not an X509-SVID: "
                    + e.getMessage(), e);
        }
        if (!keyMatches(key, leaf)) {
            throw new IllegalArgumentException(keySource + ": the " + key.getAlgorithm()
                    + " private key does not belong to the first certificate of " + chainSource + " (" + id + ")");
        }
        for (X509Certificate root : roots) {
            if (root.getBasicConstraints() < 0) {
                throw new IllegalArgumentException(rootSource + ": '" + root.getSubjectX500Principal().getName()
                        + "' is not a CA certificate");
            }
        }
        checkSignedUpTo(chain, roots, chainSource, rootSource);
        return new GatewayIdentity(List.copyOf(chain), key, List.copyOf(roots), id);
    }

    private static boolean keyMatches(PrivateKey key, X509Certificate leaf) {
        String algorithm;
        switch (key.getAlgorithm()) {
            case "EC":
            case "ECDSA":
                algorithm = "SHA256withECDSA";
                break;
            case "RSA":
                algorithm = "SHA256withRSA";
                break;
            default:
                throw new IllegalArgumentException("unsupported private key algorithm " + key.getAlgorithm()
                        + " (expected: EC or RSA)");
        }
        // Signing and verifying a nonce is the one check that works alike for every key type and encoding.
        byte[] nonce = new byte[32];
        new SecureRandom().nextBytes(nonce);
        try {
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(nonce);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(leaf.getPublicKey());
            verifier.update(nonce);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            // An RSA key against an EC certificate, for instance, fails in initVerify: a mismatch too.
            return false;
        }
    }

    /** Each certificate is signed by the next, and the last by one of the roots (or is one of them). */
    private static void checkSignedUpTo(List<X509Certificate> chain, List<X509Certificate> roots,
                                        String chainSource, String rootSource) {
        for (int i = 0; i + 1 < chain.size(); i++) {
            if (!signedBy(chain.get(i), chain.get(i + 1))) {
                throw new IllegalArgumentException(chainSource + ": certificate " + (i + 1) + " ('"
                        + chain.get(i).getIssuerX500Principal().getName() + "') is not signed by certificate " + (i + 2));
            }
        }
        X509Certificate last = chain.get(chain.size() - 1);
        for (X509Certificate root : roots) {
            if (root.equals(last) || signedBy(last, root)) {
                return;
            }
        }
        throw new IllegalArgumentException(chainSource + ": issuer '" + last.getIssuerX500Principal().getName()
                + "' is not among the roots in " + rootSource + " (the chain is not signed by any of them)");
    }

    private static boolean signedBy(X509Certificate certificate, X509Certificate issuer) {
        try {
            certificate.verify(issuer.getPublicKey());
            return true;
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    /** The SPIFFE ID this gateway presents, e.g. {@code spiffe://red-mesh.local/ns/red-mesh-system/sa/ingress-green-mesh-service-account}. */
    public SpiffeId spiffeId() {
        return spiffeId;
    }

    /** The trust domain of {@link #spiffeId()}: the bundle {@link #roots()} belong to. */
    public String trustDomain() {
        return spiffeId.trustDomain();
    }

    /** The chain presented in handshakes, leaf first. */
    public List<X509Certificate> certificateChain() {
        return certificateChain;
    }

    /** The leaf certificate. */
    public X509Certificate certificate() {
        return certificateChain.get(0);
    }

    /** The leaf's private key. */
    public PrivateKey privateKey() {
        return privateKey;
    }

    /** This mesh's root certificate(s), from {@code root-cert.pem}. */
    public List<X509Certificate> roots() {
        return roots;
    }

    @Override
    public String toString() {
        return "GatewayIdentity{" + spiffeId + ", notAfter=" + certificate().getNotAfter().toInstant()
                + ", chain=" + certificateChain.size() + ", roots=" + roots.size() + '}';
    }
}
