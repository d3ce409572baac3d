package io.fedgate.core.trust;

import static java.util.Objects.requireNonNull;

import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

import io.fedgate.core.spiffe.SpiffeId;

/** Collects roots per trust domain for {@link TrustBundles}; adding to a trust domain twice merges the roots. */
public final class TrustBundlesBuilder {
    private final Map<String, Set<X509Certificate>> bundles = new LinkedHashMap<>();

    TrustBundlesBuilder() {
    }

    /**
     * Adds roots to the bundle of {@code trustDomain}.
     *
     * @throws IllegalArgumentException if the trust domain name is invalid, {@code roots} is empty, or a root is
     *                                  not a CA certificate (a leaf put into a {@code root-cert.pem} by mistake)
     */
    public TrustBundlesBuilder add(String trustDomain, Collection<X509Certificate> roots) {
        SpiffeId.validateTrustDomain(trustDomain);
        requireNonNull(roots, "roots");
        if (roots.isEmpty()) {
            throw new IllegalArgumentException("trust domain " + trustDomain + ": no root certificate given");
        }
        for (X509Certificate root : roots) {
            requireNonNull(root, "root");
            if (root.getBasicConstraints() < 0) {
                throw new IllegalArgumentException("trust domain " + trustDomain + ": '"
                        + root.getSubjectX500Principal().getName() + "' is not a CA certificate (basicConstraints CA=false)");
            }
        }
        bundles.computeIfAbsent(trustDomain, td -> new LinkedHashSet<>()).addAll(roots);
        return this;
    }

    /** Adds roots to the bundle of {@code trustDomain}; see {@link #add(String, Collection)}. */
    public TrustBundlesBuilder add(String trustDomain, X509Certificate... roots) {
        return add(trustDomain, Arrays.asList(requireNonNull(roots, "roots")));
    }

    /** The immutable bundles. */
    public TrustBundles build() {
        return new TrustBundles(bundles);
    }
}
