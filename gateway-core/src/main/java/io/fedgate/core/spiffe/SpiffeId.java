package io.fedgate.core.spiffe;

import static java.util.Objects.requireNonNull;

/**
 * A SPIFFE ID, {@code spiffe://<trust domain><path>}, parsed strictly per the SPIFFE-ID standard:
 * lowercase scheme {@code spiffe}; a trust domain of 1-255 characters from {@code [a-z0-9.-_]};
 * an optional path of non-empty segments from {@code [a-zA-Z0-9.-_]}, none of them {@code .} or
 * {@code ..}, and no trailing slash; no port, user info, query or fragment; at most 2048 bytes in all.
 *
 * <p>Instances are immutable and compare by value, so they can be used as map keys and compared
 * with {@link #equals} when authorizing a peer.
 */
public final class SpiffeId {

    /** The URI scheme prefix, {@code spiffe://}. */
    public static final String PREFIX = "spiffe://";
    /** Longest trust domain name the standard allows. */
    public static final int MAX_TRUST_DOMAIN_LENGTH = 255;
    /** Longest SPIFFE ID the standard allows, in bytes (all allowed characters are ASCII). */
    public static final int MAX_LENGTH = 2048;

    private final String trustDomain;
    private final String path;
    private final String uri;

    private SpiffeId(String trustDomain, String path) {
        this.trustDomain = trustDomain;
        this.path = path;
        this.uri = PREFIX + trustDomain + path;
    }

    /**
     * Parses a SPIFFE ID in URI form, {@code spiffe://trust.domain/path}.
     *
     * @throws InvalidSpiffeIdException naming the rule the input breaks
     */
    public static SpiffeId parse(String id) {
        requireNonNull(id, "id");
        if (id.isEmpty()) {
            throw new InvalidSpiffeIdException(id, "is empty");
        }
        if (id.length() > MAX_LENGTH) {
            throw new InvalidSpiffeIdException(id, "is longer than " + MAX_LENGTH + " bytes");
        }
        if (!id.startsWith(PREFIX)) {
            int colon = id.indexOf("://");
            if (colon > 0 && id.substring(0, colon).equalsIgnoreCase("spiffe")) {
                throw new InvalidSpiffeIdException(id, "scheme must be lowercase 'spiffe'");
            }
            throw new InvalidSpiffeIdException(id, "must start with '" + PREFIX + "'");
        }
        return parseAfterScheme(id, id.substring(PREFIX.length()));
    }

    /**
     * Parses a principal as Istio and the {@code ServiceMeshPeer} {@code clientID} field write it:
     * either a full SPIFFE ID or the same without the {@code spiffe://} prefix
     * ({@code green-mesh.local/ns/green-mesh-system/sa/egress-red-mesh-service-account}).
     *
     * @throws InvalidSpiffeIdException naming the rule the input breaks
     */
    public static SpiffeId parsePrincipal(String principal) {
        requireNonNull(principal, "principal");
        if (principal.contains("://")) {
            return parse(principal);
        }
        if (principal.isEmpty()) {
            throw new InvalidSpiffeIdException(principal, "is empty");
        }
        if (PREFIX.length() + principal.length() > MAX_LENGTH) {
            throw new InvalidSpiffeIdException(principal, "is longer than " + MAX_LENGTH + " bytes");
        }
        return parseAfterScheme(principal, principal);
    }

    /** Builds the ID {@code spiffe://<trustDomain>/ns/<namespace>/sa/<serviceAccount>} Istio gives a workload. */
    public static SpiffeId ofServiceAccount(String trustDomain, String namespace, String serviceAccount) {
        return parse(PREFIX + trustDomain + "/ns/" + namespace + "/sa/" + serviceAccount);
    }

    /**
     * Checks a trust domain name on its own (as the {@code trustDomain} field holds it).
     *
     * @return the name, unchanged
     * @throws InvalidSpiffeIdException naming the rule the input breaks
     */
    public static String validateTrustDomain(String trustDomain) {
        requireNonNull(trustDomain, "trustDomain");
        checkTrustDomain(trustDomain, trustDomain);
        return trustDomain;
    }

    private static SpiffeId parseAfterScheme(String input, String rest) {
        int slash = rest.indexOf('/');
        String trustDomain = slash < 0 ? rest : rest.substring(0, slash);
        String path = slash < 0 ? "" : rest.substring(slash);
        checkTrustDomain(input, trustDomain);
        checkPath(input, path);
        return new SpiffeId(trustDomain, path);
    }

    private static void checkTrustDomain(String input, String trustDomain) {
        if (trustDomain.isEmpty()) {
            throw new InvalidSpiffeIdException(input, "trust domain is missing");
        }
        if (trustDomain.length() > MAX_TRUST_DOMAIN_LENGTH) {
            throw new InvalidSpiffeIdException(input,
                    "trust domain is longer than " + MAX_TRUST_DOMAIN_LENGTH + " characters");
        }
        for (int i = 0; i < trustDomain.length(); i++) {
            char c = trustDomain.charAt(i);
            if (isTrustDomainChar(c)) {
                continue;
            }
            switch (c) {
                case ':':
                    throw new InvalidSpiffeIdException(input, "trust domain must not contain a port");
                case '@':
                    throw new InvalidSpiffeIdException(input, "trust domain must not contain user info");
                case '?':
                    throw new InvalidSpiffeIdException(input, "must not contain a query");
                case '#':
                    throw new InvalidSpiffeIdException(input, "must not contain a fragment");
                default:
                    if (c >= 'A' && c <= 'Z') {
                        throw new InvalidSpiffeIdException(input, "trust domain must be lowercase");
                    }
                    throw new InvalidSpiffeIdException(input,
                            "trust domain contains '" + printable(c) + "' (allowed: a-z 0-9 . - _)");
            }
        }
    }

    private static void checkPath(String input, String path) {
        if (path.isEmpty()) {
            return;
        }
        if (path.equals("/") || path.endsWith("/")) {
            throw new InvalidSpiffeIdException(input, "path must not end with '/'");
        }
        int segmentStart = 1;
        for (int i = 1; i <= path.length(); i++) {
            if (i == path.length() || path.charAt(i) == '/') {
                String segment = path.substring(segmentStart, i);
                if (segment.isEmpty()) {
                    throw new InvalidSpiffeIdException(input, "path has an empty segment");
                }
                if (segment.equals(".") || segment.equals("..")) {
                    throw new InvalidSpiffeIdException(input, "path has a '" + segment + "' segment");
                }
                segmentStart = i + 1;
                continue;
            }
            char c = path.charAt(i);
            if (isPathChar(c)) {
                continue;
            }
            switch (c) {
                case '?':
                    throw new InvalidSpiffeIdException(input, "must not contain a query");
                case '#':
                    throw new InvalidSpiffeIdException(input, "must not contain a fragment");
                case '%':
                    throw new InvalidSpiffeIdException(input, "path must not be percent-encoded");
                default:
                    throw new InvalidSpiffeIdException(input,
                            "path contains '" + printable(c) + "' (allowed: a-z A-Z 0-9 . - _)");
            }
        }
    }

    private static boolean isTrustDomainChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_';
    }

    private static boolean isPathChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || c == '.' || c == '-' || c == '_';
    }

    private static String printable(char c) {
        return c < 0x20 || c > 0x7e ? String.format("\\u%04x", (int) c) : String.valueOf(c);
    }

    /** The trust domain, e.g. {@code green-mesh.local}. */
    public String trustDomain() {
        return trustDomain;
    }

    /** The path, empty or starting with {@code /}, e.g. {@code /ns/green-mesh-system/sa/egress-red-mesh-service-account}. */
    public String path() {
        return path;
    }

    /** The ID without its scheme, as Istio writes principals and {@code clientID} holds them. */
    public String principal() {
        return trustDomain + path;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SpiffeId && uri.equals(((SpiffeId) o).uri);
    }

    @Override
    public int hashCode() {
        return uri.hashCode();
    }

    /** The full URI form, {@code spiffe://trust.domain/path}. */
    @Override
    public String toString() {
        return uri;
    }
}
