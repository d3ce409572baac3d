package io.fedgate.core.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.fedgate.core.cli.CommandLine;
import io.fedgate.core.cli.GatewayOptions;
import io.fedgate.core.config.ConfigFixtures;
import io.fedgate.core.testing.FederationPki;

class GatewayStartupTest {

    private static FederationPki pki;

    @TempDir
    Path dir;

    @BeforeAll
    static void mintCertificates() {
        pki = FederationPki.create();
    }

    /** Red's config for peer green, with green's real root in the ConfigMap, plus red's certificate files. */
    private Path writeRedConfig(String greenTrustDomain) throws IOException {
        pki.writeTo(dir.resolve("certs"));
        Path config = Files.createDirectories(dir.resolve("config"));
        Files.writeString(config.resolve("green.yaml"),
                ConfigFixtures.rootConfigMap("green-mesh-ca-root-cert", pki.green().ca().rootCertificatePem())
                        + "---\n"
                        + ConfigFixtures.peer("green-mesh", "remote:\n  addresses: [\"127.0.2.1\"]\n"
                                + "gateways:\n  ingress: {name: ingress-green-mesh}\n  egress: {name: egress-green-mesh}\n"
                                + "security:\n  trustDomain: " + greenTrustDomain + "\n"
                                + "  clientID: " + greenTrustDomain + "/ns/green-mesh-system/sa/egress-red-mesh-service-account\n"));
        return config;
    }

    private GatewayOptions options(Path configDir, String name, String certDir) {
        Path certs = dir.resolve("certs").resolve("red-mesh").resolve(certDir);
        CommandLine.Parsed parsed = GatewayOptions.commandLine("ingress", "test").parse(
                "--config-dir", configDir.toString(), "--namespace", "red-mesh-system", "--name", name,
                "--cert-chain", certs.resolve("cert-chain.pem").toString(),
                "--key", certs.resolve("key.pem").toString(),
                "--root-cert", certs.resolve("root-cert.pem").toString());
        return GatewayOptions.from(parsed);
    }

    @Test
    void preparesIngressWithOwnAndPeerTrustDomains() throws IOException {
        Path config = writeRedConfig("green-mesh.local");

        GatewayContext context = GatewayStartup.prepare(GatewayRole.INGRESS,
                options(config, "ingress-green-mesh", "ingress-green-mesh"));

        assertThat(context.peerNames()).containsExactly("green-mesh");
        assertThat(context.identity().spiffeId()).isEqualTo(pki.red().ingressId(pki.green()));
        assertThat(context.trustBundles().trustDomains()).containsExactlyInAnyOrder("red-mesh.local", "green-mesh.local");
        assertThat(context.trustBundles().roots("green-mesh.local")).containsExactly(pki.green().ca().root());
    }

    @Test
    void gatewayNameNoPeerUsesIsRefusedNamingThePeers() throws IOException {
        Path config = writeRedConfig("green-mesh.local");

        StartupException e = catchThrowableOfType(StartupException.class, () -> GatewayStartup.prepare(
                GatewayRole.EGRESS, options(config, "egress-blue-mesh", "egress-green-mesh")));

        assertThat(e.problems()).containsExactly("no ServiceMeshPeer in namespace red-mesh-system has "
                + "spec.gateways.egress.name: egress-blue-mesh (peers there: green-mesh -> egress-green-mesh)");
    }

    @Test
    void reportsConfigAndIdentityProblemsTogether() throws IOException {
        Path config = writeRedConfig("green-mesh.local");
        Files.writeString(config.resolve("bad.yaml"), ConfigFixtures.peer("blue-mesh",
                "remote:\n  addresses: [\"127.0.3.1\"]\n  servicePort: 70000\n"
                        + "gateways:\n  ingress: {name: ingress-blue-mesh}\n  egress: {name: egress-blue-mesh}\n"));
        Files.delete(dir.resolve("certs/red-mesh/ingress-green-mesh/key.pem"));

        StartupException e = catchThrowableOfType(StartupException.class, () -> GatewayStartup.prepare(
                GatewayRole.INGRESS, options(config, "ingress-green-mesh", "ingress-green-mesh")));

        assertThat(e.problems()).anySatisfy(p -> assertThat(p)
                .startsWith("bad.yaml doc 1 ServiceMeshPeer red-mesh-system/blue-mesh: spec.remote.servicePort: 70000"));
        assertThat(e.problems()).anySatisfy(p -> assertThat(p).contains("key.pem"));
    }

    @Test
    void peerWithOurOwnTrustDomainIsRefused() throws IOException {
        Path config = writeRedConfig("red-mesh.local");

        StartupException e = catchThrowableOfType(StartupException.class, () -> GatewayStartup.prepare(
                GatewayRole.INGRESS, options(config, "ingress-green-mesh", "ingress-green-mesh")));

        assertThat(e.problems()).containsExactly("ServiceMeshPeer red-mesh-system/green-mesh: spec.security.trustDomain: "
                + "red-mesh.local is this gateway's own trust domain (from " + pki.red().ingressId(pki.green())
                + "); federated meshes need distinct trust domains");
    }
}
