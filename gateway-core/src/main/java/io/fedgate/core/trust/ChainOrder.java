package io.fedgate.core.trust;

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
            X509Certificate issuer = null;
            for (X509Certificate candidate : pool) {
                if (candidate.getSubjectX500Principal().equals(current.getIssuerX500Principal())) {
                    issuer = candidate;
                    break;
                }
            }
            if (issuer == null) {
                break;
            }
            pool.remove(issuer);
            path.add(issuer);
            current = issuer;
        }
        return path;
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
