package io.fedgate.core.internal.config;

import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import javax.security.auth.x500.X500Principal;

import io.fedgate.core.config.PeerConfig;
import io.fedgate.core.tls.Pem;

/**
 * Reads a peer's root bundle from a ConfigMap's {@code root-cert.pem}: one or more PEM certificates (several while a
 * root is rotated), each of which must be a CA. Expired or not-yet-valid roots are warnings, since a bundle in
 * rotation may hold one; a bundle of only expired roots is an error, as it can verify nothing.
 */
public final class RootBundleReader {
    /** The field problems are reported at. */
    public static final String FIELD = "data." + PeerConfig.ROOT_CERT_KEY;

    private RootBundleReader() {
    }

    /** Reads {@code pem}, reporting problems at the ConfigMap's {@code data.root-cert.pem}; empty on error. */
    public static Optional<List<X509Certificate>> read(ResourceContext configMap, String pem, Instant now) {
        List<X509Certificate> certificates;
        try {
            certificates = Pem.readCertificates(pem, PeerConfig.ROOT_CERT_KEY);
        } catch (IllegalArgumentException e) {
            configMap.error(FIELD, withoutSource(e.getMessage()));
            return Optional.empty();
        }
        boolean valid = true;
        int expired = 0;
        for (int i = 0; i < certificates.size(); i++) {
            X509Certificate certificate = certificates.get(i);
            String which = describe(i, certificate);
            if (certificate.getBasicConstraints() < 0) {
                configMap.error(FIELD, which + " is not a CA certificate (basicConstraints CA:TRUE is missing)");
                valid = false;
            }
            if (now.isAfter(certificate.getNotAfter().toInstant())) {
                expired++;
                configMap.warn(FIELD, which + " expired on " + certificate.getNotAfter().toInstant());
            } else if (now.isBefore(certificate.getNotBefore().toInstant())) {
                configMap.warn(FIELD, which + " is not valid before " + certificate.getNotBefore().toInstant());
            }
        }
        if (expired == certificates.size()) {
            configMap.error(FIELD, "every certificate has expired, so no peer certificate can be verified");
            valid = false;
        }
        return valid ? Optional.of(certificates) : Optional.empty();
    }

    /** {@code certificate 2 (CN=green-mesh-root)}. */
    public static String describe(int index, X509Certificate certificate) {
        return "certificate " + (index + 1) + " (" + certificate.getSubjectX500Principal().getName(X500Principal.RFC2253)
                + ")";
    }

    private static String withoutSource(String message) {
        // Pem prefixes its messages with the source it was given; the problem's location says that already.
        String prefix = PeerConfig.ROOT_CERT_KEY + ": ";
        return message != null && message.startsWith(prefix) ? message.substring(prefix.length()) : String.valueOf(message);
    }
}
