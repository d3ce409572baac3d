package io.fedgate.core.pki;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;

/** The key algorithms the authority can generate; each knows the signature algorithm its keys sign with. */
public enum KeyType {
    /** ECDSA on NIST P-256, what Istio issues by default for workloads and gateways. */
    EC_P256("EC", "SHA256withECDSA"),
    /** RSA with a 2048-bit modulus, what Istio's self-signed root uses and older meshes issue. */
    RSA_2048("RSA", "SHA256withRSA");

    private final String algorithm;
    private final String signatureAlgorithm;

    KeyType(String algorithm, String signatureAlgorithm) {
        this.algorithm = algorithm;
        this.signatureAlgorithm = signatureAlgorithm;
    }

    /** Generates a fresh key pair of this type. */
    public KeyPair generate() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance(algorithm);
            if (this == EC_P256) {
                generator.initialize(new ECGenParameterSpec("secp256r1"));
            } else {
                generator.initialize(2048);
            }
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            // Both algorithms are mandatory in every Java 17 runtime, so this is a broken JRE, not an input error.
            throw new IllegalStateException("cannot generate " + this + " key: " + e, e);
        }
    }

    /** The JCA signature algorithm a key of this type signs certificates with, e.g. {@code SHA256withECDSA}. */
    public String signatureAlgorithm() {
        return signatureAlgorithm;
    }

    /** The key type of an existing key, by its JCA algorithm name ({@code EC} or {@code RSA}). */
    static KeyType of(java.security.Key key) {
        switch (key.getAlgorithm()) {
            case "EC":
            case "ECDSA":
                return EC_P256;
            case "RSA":
                return RSA_2048;
            default:
                throw new IllegalArgumentException("unsupported key algorithm: " + key.getAlgorithm()
                        + " (expected: EC or RSA)");
        }
    }
}
