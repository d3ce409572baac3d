package io.fedgate.core.trust;

import static java.util.Objects.requireNonNull;

import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The roots a gateway trusts, one bundle per trust domain: its own mesh's root(s) and each peer's. A bundle may
 * hold several roots, so that a peer can rotate its root with an overlap. A presented certificate is checked only
 * against the bundle of the trust domain in its SPIFFE ID, never against another domain's roots.
 *
 * <p>Immutable; build with {@link #builder()} or {@link #of(Map)}.
 */
public final class TrustBundles {
    private final Map<String, Set<X509Certificate>> bundles;
    private final Set<X509Certificate> allRoots;

    TrustBundles(Map<String, Set<X509Certificate>> bundles) {
        // Sorted by trust domain so that toString and getAcceptedIssuers are stable between runs.
        Map<String, Set<X509Certificate>> copy = new TreeMap<>();
        bundles.forEach((trustDomain, roots) ->
                copy.put(trustDomain, Collections.unmodifiableSet(new LinkedHashSet<>(roots))));
        Set<X509Certificate> all = new LinkedHashSet<>();
        copy.values().forEach(all::addAll);
        this.bundles = Collections.unmodifiableMap(copy);
        this.allRoots = Collections.unmodifiableSet(all);
    }

    /** A builder that accepts the roots of each trust domain, merging repeated trust domains. */
    public static TrustBundlesBuilder builder() {
        return new TrustBundlesBuilder();
    }

    /** Bundles from a map of trust domain to its roots; see {@link TrustBundlesBuilder#add} for the checks. */
    public static TrustBundles of(Map<String, ? extends Collection<X509Certificate>> bundles) {
        requireNonNull(bundles, "bundles");
        TrustBundlesBuilder builder = builder();
        bundles.forEach(builder::add);
        return builder.build();
    }

    /** The roots of {@code trustDomain}, empty when no bundle is configured for it. */
    public Set<X509Certificate> roots(String trustDomain) {
        return bundles.getOrDefault(requireNonNull(trustDomain, "trustDomain"), Set.of());
    }

    /** Whether a bundle is configured for {@code trustDomain}. */
    public boolean contains(String trustDomain) {
        return bundles.containsKey(requireNonNull(trustDomain, "trustDomain"));
    }

    /** The trust domains with a bundle, sorted. */
    public Set<String> trustDomains() {
        return bundles.keySet();
    }

    /** Every root of every bundle, without duplicates: what a TLS server lists as acceptable issuers. */
    public Set<X509Certificate> allRoots() {
        return allRoots;
    }

    /** The bundles as an unmodifiable map, sorted by trust domain. */
    public Map<String, Set<X509Certificate>> asMap() {
        return bundles;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TrustBundles && bundles.equals(((TrustBundles) o).bundles);
    }

    @Override
    public int hashCode() {
        return bundles.hashCode();
    }

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder("TrustBundles{");
        bundles.forEach((trustDomain, roots) -> {
            if (text.charAt(text.length() - 1) != '{') {
                text.append(", ");
            }
            text.append(trustDomain).append('=').append(roots.size()).append(roots.size() == 1 ? " root" : " roots");
        });
        return text.append('}').toString();
    }
}
