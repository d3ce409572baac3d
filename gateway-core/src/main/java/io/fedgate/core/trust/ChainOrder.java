package io.fedgate.core.trust;

import java.security.GeneralSecurityException;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.LinkedList;
import java.util.List;
import java.util.Set;

/**
 * Puts a presented chain in issuing order for PKIX. TLS 1.3 lets a peer send its intermediates in any order and
 * include the root; CertPathValidator wants leaf, issuer, issuer's issuer, and no trust anchor in the path.
 */
final class ChainOrder {
    private ChainOrder() {
    }

    /**
     * The leaf followed by the presented certificates that issue it, one by one, by subject/issuer name. Copies of
     * trusted roots and certificates that issue nothing in the path are dropped: PKIX judges what is left.
     */
    static List<X509Certificate> pathFrom(List<X509Certificate> presented, Set<TrustAnchor> trusted) {
        List<X509Certificate> pool = new LinkedList<>();
        for (X509Certificate certificate : presented.subList(1, presented.size())) {
            if (certificate != null && !isTrustedRoot(certificate, trusted)) {
                pool.add(certificate);
            }
        }
        List<X509Certificate> path = new ArrayList<>();
        X509Certificate current = presented.get(0);
        path.add(current);
        while (!pool.isEmpty()) {
            X509Certificate issuer = issuerOf(current, pool);
            if (issuer == null) {
                break;
            }
            pool.remove(issuer);
            path.add(issuer);
            current = issuer;
        }
        return path;
    }

    /**
     * The certificate in {@code pool} named as {@code certificate}'s issuer; when several share that name (a
     * re-keyed intermediate), the one whose key verifies the signature.
     */
    private static X509Certificate issuerOf(X509Certificate certificate, List<X509Certificate> pool) {
        X509Certificate byName = null;
        int matches = 0;
        for (X509Certificate candidate : pool) {
            if (candidate.getSubjectX500Principal().equals(certificate.getIssuerX500Principal())) {
                byName = byName == null ? candidate : byName;
                matches++;
            }
        }
        if (matches <= 1) {
            return byName;
        }
        for (X509Certificate candidate : pool) {
            if (candidate.getSubjectX500Principal().equals(certificate.getIssuerX500Principal())
                    && signs(candidate, certificate)) {
                return candidate;
            }
        }
        return byName;
    }

    private static boolean signs(X509Certificate issuer, X509Certificate certificate) {
        try {
            certificate.verify(issuer.getPublicKey());
            return true;
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static boolean isTrustedRoot(X509Certificate certificate, Set<TrustAnchor> trusted) {
        for (TrustAnchor anchor : trusted) {
            if (anchor.getTrustedCert().equals(certificate)) {
                return true;
            }
        }
        return false;
    }
}
