package io.fedgate.core.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.fedgate.core.tls.GatewayIdentity;
import io.fedgate.core.tls.Pem;

class FederationPkiTest {

    @Test
    void namesGatewaysAsTheFederationReferenceDoes() {
        FederationPki pki = FederationPki.create();
        assertThat(pki.red().ingressId(pki.green()).toString())
                .isEqualTo("spiffe://red-mesh.local/ns/red-mesh-system/sa/ingress-green-mesh-service-account");
        assertThat(pki.green().egressId(pki.red()).principal())
                .isEqualTo("green-mesh.local/ns/green-mesh-system/sa/egress-red-mesh-service-account");
        assertThat(pki.bundles().trustDomains()).containsExactly("green-mesh.local", "red-mesh.local");
        assertThat(pki.red().ingressFor(pki.green())).isSameAs(pki.red().ingressFor(pki.green()));
    }

    @Test
    void writesEveryGatewaysFilesInIstiosLayout(@TempDir Path directory) {
        FederationPki pki = FederationPki.create();
        pki.writeTo(directory);
        GatewayIdentity redIngress = GatewayIdentity.loadDirectory(directory.resolve("red-mesh/ingress-green-mesh"));
        GatewayIdentity greenEgress = GatewayIdentity.loadDirectory(directory.resolve("green-mesh/egress-red-mesh"));
        assertThat(redIngress.spiffeId()).isEqualTo(pki.red().ingressId(pki.green()));
        assertThat(greenEgress.spiffeId()).isEqualTo(pki.green().egressId(pki.red()));
        assertThat(GatewayIdentity.loadDirectory(directory.resolve("red-mesh/egress-green-mesh")).trustDomain())
                .isEqualTo("red-mesh.local");
        assertThat(Pem.readCertificates(directory.resolve("green-mesh/root-cert.pem")))
                .containsExactly(pki.green().ca().root());
    }
}
