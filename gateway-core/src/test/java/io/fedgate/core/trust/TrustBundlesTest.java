package io.fedgate.core.trust;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.fedgate.core.pki.CertificateAuthority;
import io.fedgate.core.spiffe.InvalidSpiffeIdException;
import io.fedgate.core.spiffe.SpiffeId;

class TrustBundlesTest {
    private static final CertificateAuthority RED = CertificateAuthority.createRoot("red-mesh.local");
    private static final CertificateAuthority GREEN = CertificateAuthority.createRoot("green-mesh.local");
    private static final CertificateAuthority GREEN_NEXT = CertificateAuthority.createRoot("green-mesh.local");

    @Test
    void holdsOneBundlePerTrustDomainMergingRepeatedAdds() {
        TrustBundles bundles = TrustBundles.builder()
                .add("red-mesh.local", RED.root())
                .add("green-mesh.local", GREEN.root())
                .add("green-mesh.local", List.of(GREEN_NEXT.root(), GREEN.root()))
                .build();
        assertThat(bundles.trustDomains()).containsExactly("green-mesh.local", "red-mesh.local");
        assertThat(bundles.roots("green-mesh.local")).containsExactly(GREEN.root(), GREEN_NEXT.root());
        assertThat(bundles.roots("blue-mesh.local")).isEmpty();
        assertThat(bundles.contains("red-mesh.local")).isTrue();
        assertThat(bundles.contains("blue-mesh.local")).isFalse();
        assertThat(bundles.allRoots()).containsExactly(GREEN.root(), GREEN_NEXT.root(), RED.root());
        assertThat(bundles.toString()).isEqualTo("TrustBundles{green-mesh.local=2 roots, red-mesh.local=1 root}");
        assertThat(bundles).isEqualTo(TrustBundles.of(Map.of(
                "red-mesh.local", List.of(RED.root()), "green-mesh.local", List.of(GREEN.root(), GREEN_NEXT.root()))));
    }

    @Test
    void isImmutable() {
        TrustBundles bundles = TrustBundles.builder().add("red-mesh.local", RED.root()).build();
        assertThatThrownBy(() -> bundles.roots("red-mesh.local").clear()).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> bundles.asMap().clear()).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void refusesBadInput() {
        assertThatThrownBy(() -> TrustBundles.builder().add("Red", RED.root()))
                .isInstanceOf(InvalidSpiffeIdException.class);
        assertThatThrownBy(() -> TrustBundles.builder().add("red-mesh.local", List.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("trust domain red-mesh.local: no root certificate given");
        assertThatThrownBy(() -> TrustBundles.builder().add("red-mesh.local",
                RED.issueSvid(SpiffeId.parse("spiffe://red-mesh.local/x")).certificate()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("trust domain red-mesh.local: '' is not a CA certificate (basicConstraints CA=false)");
    }
}
