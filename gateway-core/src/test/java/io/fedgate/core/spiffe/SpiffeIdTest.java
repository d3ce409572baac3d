package io.fedgate.core.spiffe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Vectors from the SPIFFE-ID standard (section 2), valid and invalid, and the principal form Istio writes. */
class SpiffeIdTest {

    @ParameterizedTest
    @ValueSource(strings = {
            "spiffe://example.org",
            "spiffe://example.org/path",
            "spiffe://example.org/ns/default/sa/my-service",
            "spiffe://green-mesh.local/ns/green-mesh-system/sa/egress-red-mesh-service-account",
            "spiffe://a_b.c-d.0-9/UPPER/lower/0-9/._-",
            "spiffe://1.2.3.4/x",
            "spiffe://example.org/.../..a/a..",
            "spiffe://x",
    })
    void parsesValidIds(String id) {
        SpiffeId parsed = SpiffeId.parse(id);
        assertThat(parsed.toString()).isEqualTo(id);
        assertThat(SpiffeId.PREFIX + parsed.trustDomain() + parsed.path()).isEqualTo(id);
    }

    static Stream<Arguments> invalidIds() {
        return Stream.of(
                arguments("", "is empty"),
                arguments("SPIFFE://example.org/x", "scheme must be lowercase"),
                arguments("Spiffe://example.org/x", "scheme must be lowercase"),
                arguments("http://example.org/x", "must start with 'spiffe://'"),
                arguments("spiffe:/example.org/x", "must start with 'spiffe://'"),
                arguments("spiffe:example.org", "must start with 'spiffe://'"),
                arguments("example.org/x", "must start with 'spiffe://'"),
                arguments("spiffe://", "trust domain is missing"),
                arguments("spiffe:///path", "trust domain is missing"),
                arguments("spiffe://Example.org/x", "trust domain must be lowercase"),
                arguments("spiffe://example.ORG", "trust domain must be lowercase"),
                arguments("spiffe://example.org:8080/x", "must not contain a port"),
                arguments("spiffe://example.org:/x", "must not contain a port"),
                arguments("spiffe://user@example.org/x", "must not contain user info"),
                arguments("spiffe://user:secret@example.org/x", "trust domain must not contain"),
                arguments("spiffe://example.org/path?query=1", "must not contain a query"),
                arguments("spiffe://example.org?x", "must not contain a query"),
                arguments("spiffe://example.org/path#fragment", "must not contain a fragment"),
                arguments("spiffe://example.org#x", "must not contain a fragment"),
                arguments("spiffe://example.org/%41", "must not be percent-encoded"),
                arguments("spiffe://exa%41mple.org/x", "trust domain contains '%'"),
                arguments("spiffe://example.org//x", "empty segment"),
                arguments("spiffe://example.org/x//y", "empty segment"),
                arguments("spiffe://example.org/./x", "'.' segment"),
                arguments("spiffe://example.org/x/..", "'..' segment"),
                arguments("spiffe://example.org/x/../y", "'..' segment"),
                arguments("spiffe://example.org/", "must not end with '/'"),
                arguments("spiffe://example.org/x/", "must not end with '/'"),
                arguments("spiffe://exa mple.org/x", "trust domain contains ' '"),
                arguments("spiffe://example.org/a b", "path contains ' '"),
                arguments("spiffe://example.org/caf\u00e9", "path contains '\\u00e9'"),
                arguments("spiffe://example.org/x\n", "path contains '\\u000a'"),
                arguments("spiffe://example.org/x+y", "path contains '+'"),
                arguments("spiffe://example.org/x:y", "path contains ':'"),
                arguments("spiffe://ex*ample.org", "trust domain contains '*'"));
    }

    @ParameterizedTest
    @MethodSource("invalidIds")
    void refusesInvalidIds(String id, String reason) {
        assertThatThrownBy(() -> SpiffeId.parse(id))
                .isInstanceOf(InvalidSpiffeIdException.class)
                .hasMessageStartingWith("'" + id + "' is not a SPIFFE ID: ")
                .hasMessageContaining(reason);
    }

    @Test
    void trustDomainMayHave255CharactersButNotMore() {
        String longest = "a".repeat(SpiffeId.MAX_TRUST_DOMAIN_LENGTH);
        assertThat(SpiffeId.parse("spiffe://" + longest + "/x").trustDomain()).hasSize(255);
        assertThat(SpiffeId.validateTrustDomain(longest)).isEqualTo(longest);
        assertThatThrownBy(() -> SpiffeId.parse("spiffe://" + longest + "a/x"))
                .isInstanceOf(InvalidSpiffeIdException.class)
                .hasMessageContaining("trust domain is longer than 255 characters");
    }

    @Test
    void idMayHave2048BytesButNotMore() {
        String prefix = "spiffe://example.org/";
        String longest = prefix + "a".repeat(SpiffeId.MAX_LENGTH - prefix.length());
        assertThat(SpiffeId.parse(longest).toString()).hasSize(2048);
        assertThatThrownBy(() -> SpiffeId.parse(longest + "a"))
                .isInstanceOf(InvalidSpiffeIdException.class)
                .hasMessageContaining("longer than 2048 bytes");
    }

    @Test
    void principalFormOmitsTheScheme() {
        SpiffeId id = SpiffeId.parsePrincipal("green-mesh.local/ns/green-mesh-system/sa/egress-red-mesh-service-account");
        assertThat(id).isEqualTo(SpiffeId.parse(
                "spiffe://green-mesh.local/ns/green-mesh-system/sa/egress-red-mesh-service-account"));
        assertThat(id.principal()).isEqualTo("green-mesh.local/ns/green-mesh-system/sa/egress-red-mesh-service-account");
        assertThat(id.trustDomain()).isEqualTo("green-mesh.local");
        assertThat(id.path()).isEqualTo("/ns/green-mesh-system/sa/egress-red-mesh-service-account");
        assertThat(SpiffeId.parsePrincipal(id.toString())).isEqualTo(id);
        assertThat(SpiffeId.parsePrincipal("example.org")).isEqualTo(SpiffeId.parse("spiffe://example.org"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "Example.org/x", "example.org/x/", "example.org//x", "example.org:1/x",
                            "http://example.org/x", "SPIFFE://example.org/x", "/ns/x"})
    void principalFormIsJustAsStrict(String principal) {
        assertThatThrownBy(() -> SpiffeId.parsePrincipal(principal)).isInstanceOf(InvalidSpiffeIdException.class);
    }

    @Test
    void principalFormCountsTheImpliedSchemeInTheLengthLimit() {
        String longest = "example.org/" + "a".repeat(SpiffeId.MAX_LENGTH - SpiffeId.PREFIX.length() - "example.org/".length());
        assertThat(SpiffeId.parsePrincipal(longest).toString()).hasSize(2048);
        assertThatThrownBy(() -> SpiffeId.parsePrincipal(longest + "a"))
                .isInstanceOf(InvalidSpiffeIdException.class)
                .hasMessageContaining("longer than 2048 bytes");
    }

    @Test
    void buildsIstioServiceAccountIds() {
        SpiffeId id = SpiffeId.ofServiceAccount("red-mesh.local", "red-mesh-system", "ingress-green-mesh-service-account");
        assertThat(id.toString()).isEqualTo("spiffe://red-mesh.local/ns/red-mesh-system/sa/ingress-green-mesh-service-account");
        assertThatThrownBy(() -> SpiffeId.ofServiceAccount("red-mesh.local", "", "x"))
                .isInstanceOf(InvalidSpiffeIdException.class).hasMessageContaining("empty segment");
        assertThatThrownBy(() -> SpiffeId.ofServiceAccount("Red", "ns", "x"))
                .isInstanceOf(InvalidSpiffeIdException.class).hasMessageContaining("lowercase");
    }

    @Test
    void validatesTrustDomainsOnTheirOwn() {
        assertThat(SpiffeId.validateTrustDomain("green-mesh.local")).isEqualTo("green-mesh.local");
        assertThatThrownBy(() -> SpiffeId.validateTrustDomain("green-mesh.local:443"))
                .isInstanceOf(InvalidSpiffeIdException.class).hasMessageContaining("port");
        assertThatThrownBy(() -> SpiffeId.validateTrustDomain("green-mesh.local/x"))
                .isInstanceOf(InvalidSpiffeIdException.class).hasMessageContaining("'/'");
        assertThatThrownBy(() -> SpiffeId.validateTrustDomain(""))
                .isInstanceOf(InvalidSpiffeIdException.class)
                .satisfies(e -> assertThat(((InvalidSpiffeIdException) e).reason()).isEqualTo("trust domain is missing"));
    }

    @Test
    void comparesByValue() {
        SpiffeId a = SpiffeId.parse("spiffe://example.org/a");
        assertThat(a).isEqualTo(SpiffeId.parsePrincipal("example.org/a")).hasSameHashCodeAs(SpiffeId.parse("spiffe://example.org/a"));
        assertThat(a).isNotEqualTo(SpiffeId.parse("spiffe://example.org/A"));
        assertThat(a).isNotEqualTo(SpiffeId.parse("spiffe://example.org"));
        assertThat(a).isNotEqualTo("spiffe://example.org/a");
    }
}
