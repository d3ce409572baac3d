package io.fedgate.core.trust;

import static java.util.Objects.requireNonNull;

import java.security.GeneralSecurityException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertPathValidatorException.BasicReason;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.StringJoiner;

import io.fedgate.core.spiffe.SpiffeId;

/**
 * Verifies a presented certificate chain as an X509-SVID (SPIFFE X509-SVID standard, sections 4 and 5) and returns
 * its SPIFFE ID. In order:
 * <ol>
 *   <li>a certificate was presented at all;</li>
 *   <li>the leaf has exactly one URI SAN, and it is a valid SPIFFE ID;</li>
 *   <li>a bundle exists for that ID's trust domain (the bundle is chosen by the leaf, never by the connection);</li>
 *   <li>the leaf is not a CA, has the digitalSignature key usage, and has neither keyCertSign nor cRLSign;</li>
 *   <li>the leaf is within its validity period by the injected {@link Clock};</li>
 *   <li>the leaf plus the intermediates the peer sent path-validate (PKIX, revocation off, same clock) to a root
 *       of that bundle, which also requires every intermediate to be a CA allowed to sign certificates.</li>
 * </ol>
 * Each failure is a {@link PeerRefusedException} with its own {@link RefusalReason}. Authorization (which ID is
 * allowed) is {@link PeerAuthorizer}'s job, not this class's.
 *
 * <p>Thread-safe; build one per trust configuration and share it between connections.
 *
 * <p><b>Validated paths are remembered.</b> A TLS stack hands over freshly parsed certificates on every handshake, so
 * the JDK's own per-object cache of signature checks never hits, and path validation (ECDSA in Java) would dominate
 * a handshake's cost. A peer presents the same chain on every connection until it rotates, so a successful path
 * validation is kept, keyed by the exact DER bytes of the path, for this verifier's anchors only, and reused only
 * while the clock is inside every certificate's validity period. Every other check runs on every call; a changed
 * byte, a new bundle (a new verifier) or the end of a validity period means a full validation again. At most
 * {@value #PATH_CACHE_SIZE} paths are kept.
 */
public final class SvidVerifier {
    /** Longest chain accepted, leaf included; meshes use one or two levels, so this only bounds the work a peer can cause. */
    public static final int MAX_CHAIN_LENGTH = 8;

    /** Bound of the validated-path cache: far more distinct peer chains than one gateway sees between rotations. */
    static final int PATH_CACHE_SIZE = 1024;

    private final TrustBundles bundles;
    private final Clock clock;
    private final Map<String, Set<TrustAnchor>> anchors;
    /** Paths that validated, by their DER bytes, with the window in which that result holds. */
    private final Map<PathKey, ValidityWindow> validatedPaths = new ConcurrentHashMap<>();

    /** The DER bytes of a path, leaf first. */
    private record PathKey(List<ByteArray> certificates) {
    }

    /** A byte array compared by content. */
    private record ByteArray(byte[] bytes) {
        @Override
        public boolean equals(Object o) {
            return o instanceof ByteArray && Arrays.equals(bytes, ((ByteArray) o).bytes);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(bytes);
        }
    }

    /** The latest notBefore and the earliest notAfter of a path's certificates. */
    private record ValidityWindow(long notBeforeMillis, long notAfterMillis) {
        boolean contains(Instant now) {
            long millis = now.toEpochMilli();
            return millis >= notBeforeMillis && millis <= notAfterMillis;
        }
    }

    /** A verifier on the system clock. */
    public SvidVerifier(TrustBundles bundles) {
        this(bundles, Clock.systemUTC());
    }

    /** A verifier that checks validity periods against {@code clock}. */
    public SvidVerifier(TrustBundles bundles, Clock clock) {
        this.bundles = requireNonNull(bundles, "bundles");
        this.clock = requireNonNull(clock, "clock");
        Map<String, Set<TrustAnchor>> anchors = new HashMap<>();
        bundles.asMap().forEach((trustDomain, roots) -> {
            Set<TrustAnchor> set = new LinkedHashSet<>();
            for (X509Certificate root : roots) {
                set.add(new TrustAnchor(root, null));
            }
            anchors.put(trustDomain, Set.copyOf(set));
        });
        this.anchors = Map.copyOf(anchors);
    }

    /** The bundles this verifier trusts. */
    public TrustBundles bundles() {
        return bundles;
    }

    /** Verifies a chain given as TLS stacks hand it over; see {@link #verify(List)}. */
    public SpiffeId verify(X509Certificate... chain) throws PeerRefusedException {
        return verify(chain == null ? List.of() : Arrays.asList(chain));
    }

    /**
     * Verifies {@code chain} (leaf first, then the intermediates the peer sent, in any order; a copy of a trusted
     * root may be included) and returns the leaf's SPIFFE ID.
     *
     * @throws PeerRefusedException naming what was presented and what was expected
     */
    public SpiffeId verify(List<X509Certificate> chain) throws PeerRefusedException {
        if (chain == null || chain.isEmpty()) {
            throw new PeerRefusedException(RefusalReason.NO_PEER_CERTIFICATE,
                    "peer presented no certificate, expected an X509-SVID");
        }
        X509Certificate leaf = requireNonNull(chain.get(0), "chain[0]");
        SpiffeId id = X509Svids.spiffeId(leaf);
        Set<TrustAnchor> trusted = anchors.get(id.trustDomain());
        if (trusted == null) {
            throw new PeerRefusedException(RefusalReason.UNTRUSTED_TRUST_DOMAIN, "presented " + id + " ("
                    + X509Svids.describe(leaf) + "), but trust domain " + id.trustDomain()
                    + " has no trust bundle, expected one of " + bundles.trustDomains());
        }
        if (chain.size() > MAX_CHAIN_LENGTH) {
            throw new PeerRefusedException(RefusalReason.UNTRUSTED_CHAIN, "presented " + id + " with a chain of "
                    + chain.size() + " certificates, expected at most " + MAX_CHAIN_LENGTH);
        }
        checkLeafIsEndEntity(id, leaf);
        checkKeyUsage(id, leaf);
        Instant now = clock.instant();
        checkValidity(id, leaf, now);
        checkPath(id, leaf, chain, trusted, now);
        return id;
    }

    private static void checkLeafIsEndEntity(SpiffeId id, X509Certificate leaf) throws PeerRefusedException {
        if (leaf.getBasicConstraints() >= 0) {
            throw new PeerRefusedException(RefusalReason.LEAF_IS_CA, "presented " + id
                    + " in a CA certificate (basicConstraints CA=true, " + X509Svids.describe(leaf)
                    + "), expected a leaf certificate");
        }
    }

    private static void checkKeyUsage(SpiffeId id, X509Certificate leaf) throws PeerRefusedException {
        boolean[] usage = leaf.getKeyUsage();
        // Bits per RFC 5280: 0 digitalSignature, 5 keyCertSign, 6 cRLSign.
        boolean ok = usage != null && bit(usage, 0) && !bit(usage, 5) && !bit(usage, 6);
        if (!ok) {
            throw new PeerRefusedException(RefusalReason.BAD_KEY_USAGE, "presented " + id + " with key usage "
                    + describeKeyUsage(usage) + " (" + X509Svids.describe(leaf)
                    + "), expected digitalSignature and neither keyCertSign nor cRLSign");
        }
    }

    private static void checkValidity(SpiffeId id, X509Certificate leaf, Instant now) throws PeerRefusedException {
        try {
            leaf.checkValidity(Date.from(now));
        } catch (CertificateExpiredException e) {
            throw new PeerRefusedException(RefusalReason.CERTIFICATE_EXPIRED, "presented " + id + ", which expired at "
                    + leaf.getNotAfter().toInstant() + " (now " + now + ", " + X509Svids.describe(leaf) + ")",
                    alertCause(e, BasicReason.EXPIRED));
        } catch (CertificateNotYetValidException e) {
            throw new PeerRefusedException(RefusalReason.CERTIFICATE_NOT_YET_VALID, "presented " + id
                    + ", which is not valid before " + leaf.getNotBefore().toInstant() + " (now " + now + ", "
                    + X509Svids.describe(leaf) + ")", alertCause(e, BasicReason.NOT_YET_VALID));
        }
    }

    private void checkPath(SpiffeId id, X509Certificate leaf, List<X509Certificate> chain,
                           Set<TrustAnchor> trusted, Instant now) throws PeerRefusedException {
        List<X509Certificate> path = ChainOrder.pathFrom(chain, trusted);
        PathKey key = pathKey(path);
        ValidityWindow known = key == null ? null : validatedPaths.get(key);
        if (known != null && known.contains(now)) {
            return; // the same bytes validated against the same anchors, and every certificate is still in date
        }
        validate(id, leaf, path, trusted, now);
        if (key != null) {
            if (validatedPaths.size() >= PATH_CACHE_SIZE) {
                validatedPaths.clear(); // bounded: a flood of distinct chains only costs full validations
            }
            validatedPaths.put(key, window(path));
        }
    }

    private static PathKey pathKey(List<X509Certificate> path) {
        List<ByteArray> certificates = new ArrayList<>(path.size());
        try {
            for (X509Certificate certificate : path) {
                certificates.add(new ByteArray(certificate.getEncoded()));
            }
        } catch (CertificateEncodingException e) {
            return null; // not cacheable; validation reports what is wrong
        }
        return new PathKey(List.copyOf(certificates));
    }

    private static ValidityWindow window(List<X509Certificate> path) {
        long notBefore = Long.MIN_VALUE;
        long notAfter = Long.MAX_VALUE;
        for (X509Certificate certificate : path) {
            notBefore = Math.max(notBefore, certificate.getNotBefore().getTime());
            notAfter = Math.min(notAfter, certificate.getNotAfter().getTime());
        }
        return new ValidityWindow(notBefore, notAfter);
    }

    private static void validate(SpiffeId id, X509Certificate leaf, List<X509Certificate> path,
                                 Set<TrustAnchor> trusted, Instant now) throws PeerRefusedException {
        try {
            PKIXParameters parameters = new PKIXParameters(trusted);
            // Meshes publish no CRLs or OCSP responders; short-lived SVIDs take the place of revocation.
            parameters.setRevocationEnabled(false);
            parameters.setDate(Date.from(now));
            // CertPathValidator instances are not documented as thread-safe; getting one is a cheap provider lookup.
            CertPathValidator.getInstance("PKIX").validate(
                    CertificateFactory.getInstance("X.509").generateCertPath(path), parameters);
        } catch (CertPathValidatorException e) {
            throw refusal(id, leaf, path, trusted, e);
        } catch (GeneralSecurityException e) {
            throw new PeerRefusedException(RefusalReason.UNTRUSTED_CHAIN, "presented " + id + " ("
                    + X509Svids.describe(leaf) + "), whose chain cannot be validated: " + e, e);
        }
    }

    private static PeerRefusedException refusal(SpiffeId id, X509Certificate leaf, List<X509Certificate> path,
                                                Set<TrustAnchor> trusted, CertPathValidatorException e) {
        int index = e.getIndex();
        X509Certificate failed = index >= 0 && index < path.size() ? path.get(index) : leaf;
        String which = failed == leaf ? "" : ", intermediate " + X509Svids.describe(failed);
        if (e.getReason() == BasicReason.EXPIRED) {
            return new PeerRefusedException(RefusalReason.CERTIFICATE_EXPIRED, "presented " + id + which
                    + ", which expired at " + failed.getNotAfter().toInstant(), e);
        }
        if (e.getReason() == BasicReason.NOT_YET_VALID) {
            return new PeerRefusedException(RefusalReason.CERTIFICATE_NOT_YET_VALID, "presented " + id + which
                    + ", which is not valid before " + failed.getNotBefore().toInstant(), e);
        }
        StringJoiner roots = new StringJoiner("', '", "['", "']");
        for (TrustAnchor anchor : trusted) {
            roots.add(anchor.getTrustedCert().getSubjectX500Principal().getName());
        }
        return new PeerRefusedException(RefusalReason.UNTRUSTED_CHAIN, "presented " + id + " ("
                + X509Svids.describe(leaf) + which + "), which does not chain to the " + id.trustDomain()
                + " trust bundle, expected a chain to one of " + roots + ": " + e.getMessage(), e);
    }

    /** A cause that TLS stacks map to a precise alert (certificate_expired, bad_certificate) for the peer. */
    private static CertPathValidatorException alertCause(Exception e, BasicReason reason) {
        return new CertPathValidatorException(e.getMessage(), e, null, -1, reason);
    }

    private static boolean bit(boolean[] usage, int index) {
        return index < usage.length && usage[index];
    }

    private static String describeKeyUsage(boolean[] usage) {
        if (usage == null) {
            return "(no key usage extension)";
        }
        String[] names = {"digitalSignature", "nonRepudiation", "keyEncipherment", "dataEncipherment",
                          "keyAgreement", "keyCertSign", "cRLSign", "encipherOnly", "decipherOnly"};
        List<String> set = new ArrayList<>();
        for (int i = 0; i < usage.length && i < names.length; i++) {
            if (usage[i]) {
                set.add(names[i]);
            }
        }
        return set.toString();
    }
}
