package io.fedgate.core.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import io.fedgate.core.pki.CertificateAuthority;
import io.fedgate.core.pki.IssuedCertificate;
import io.fedgate.core.pki.KeyType;
import io.fedgate.core.spiffe.SpiffeId;
import io.fedgate.core.testing.PemStrings;

class GatewayIdentityTest {
    private static final SpiffeId ID =
            SpiffeId.parse("spiffe://red-mesh.local/ns/red-mesh-system/sa/ingress-green-mesh-service-account");

    private static CertificateAuthority ca;

    @TempDir
    Path directory;

    @BeforeAll
    static void mintCa() {
        ca = CertificateAuthority.createRoot("red-mesh.local");
    }

    @Test
    void defaultsAreIstiosMountPaths() {
        assertThat(GatewayIdentity.DEFAULT_CERT_CHAIN).isEqualTo(Path.of("/etc/certs/cert-chain.pem"));
        assertThat(GatewayIdentity.DEFAULT_KEY).isEqualTo(Path.of("/etc/certs/key.pem"));
        assertThat(GatewayIdentity.DEFAULT_ROOT_CERT).isEqualTo(Path.of("/etc/certs/root-cert.pem"));
        assertThat(Path.of(GatewayIdentity.DEFAULT_DIRECTORY_PATH).resolve(GatewayIdentity.KEY_FILE))
                .isEqualTo(GatewayIdentity.DEFAULT_KEY);
    }

    @ParameterizedTest
    @EnumSource(KeyType.class)
    void loadsIstioLayoutWithPkcs8Key(KeyType keyType) {
        IssuedCertificate svid = ca.newSvid(ID).keyType(keyType).issue();
        GatewayIdentity identity = GatewayIdentity.loadDirectory(svid.writeIstioFiles(directory));
        assertThat(identity.spiffeId()).isEqualTo(ID);
        assertThat(identity.trustDomain()).isEqualTo("red-mesh.local");
        assertThat(identity.certificateChain()).containsExactlyElementsOf(svid.chain());
        assertThat(identity.certificate()).isEqualTo(svid.certificate());
        assertThat(identity.roots()).containsExactly(ca.root());
        assertThat(identity.privateKey().getAlgorithm()).isEqualTo(svid.privateKey().getAlgorithm());
    }

    @ParameterizedTest
    @EnumSource(KeyType.class)
    void loadsTraditionalKeys(KeyType keyType) throws Exception {
        IssuedCertificate svid = ca.newSvid(ID).keyType(keyType).issue();
        svid.writeIstioFiles(directory);
        Files.writeString(directory.resolve(GatewayIdentity.KEY_FILE), svid.privateKeyPemTraditional());
        assertThat(GatewayIdentity.loadDirectory(directory).spiffeId()).isEqualTo(ID);
    }

    @Test
    void loadsChainsThroughIntermediatesWithOrWithoutTheRootAppended() throws Exception {
        IssuedCertificate svid = ca.createIntermediate().issueSvid(ID);
        svid.writeIstioFiles(directory);
        assertThat(GatewayIdentity.loadDirectory(directory).certificateChain()).hasSize(2);
        Files.writeString(directory.resolve(GatewayIdentity.CERT_CHAIN_FILE), svid.certChainPem() + svid.rootCertPem());
        assertThat(GatewayIdentity.loadDirectory(directory).certificateChain()).hasSize(3);
    }

    @Test
    void loadsSeparatelyNamedFiles() throws Exception {
        IssuedCertificate svid = ca.issueSvid(ID);
        Path chain = Files.writeString(directory.resolve("tls.crt"), svid.certChainPem());
        Path key = Files.writeString(directory.resolve("tls.key"), svid.privateKeyPem());
        Path root = Files.writeString(directory.resolve("ca.crt"), svid.rootCertPem());
        assertThat(GatewayIdentity.load(chain, key, root).spiffeId()).isEqualTo(ID);
    }

    @Test
    void refusesKeyOfAnotherCertificateNamingTheKeyFile() throws Exception {
        ca.issueSvid(ID).writeIstioFiles(directory);
        Files.writeString(directory.resolve(GatewayIdentity.KEY_FILE), ca.issueSvid(ID).privateKeyPem());
        Path key = directory.resolve(GatewayIdentity.KEY_FILE);
        assertThatThrownBy(() -> GatewayIdentity.loadDirectory(directory))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(key + ": the EC private key does not belong to the first certificate of "
                        + directory.resolve(GatewayIdentity.CERT_CHAIN_FILE) + " (" + ID + ")");
    }

    @Test
    void refusesKeyOfAnotherAlgorithm() throws Exception {
        ca.issueSvid(ID).writeIstioFiles(directory);
        Files.writeString(directory.resolve(GatewayIdentity.KEY_FILE),
                ca.newSvid(ID).keyType(KeyType.RSA_2048).issue().privateKeyPem());
        assertThatThrownBy(() -> GatewayIdentity.loadDirectory(directory))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("the RSA private key does not belong to the first certificate");
    }

    @Test
    void refusesMissingFilesNamingThem() throws Exception {
        ca.issueSvid(ID).writeIstioFiles(directory);
        Path root = directory.resolve(GatewayIdentity.ROOT_CERT_FILE);
        Files.delete(root);
        assertThatThrownBy(() -> GatewayIdentity.loadDirectory(directory))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(root + ": no such file");
        Path nowhere = directory.resolve("nowhere");
        assertThatThrownBy(() -> GatewayIdentity.loadDirectory(nowhere))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(nowhere.resolve(GatewayIdentity.CERT_CHAIN_FILE) + ": no such file");
    }

    @Test
    void refusesLeafWithoutSpiffeId() {
        ca.newLeaf().dnsSans("ingress.red-mesh-system.svc").issue().writeIstioFiles(directory);
        assertThatThrownBy(() -> GatewayIdentity.loadDirectory(directory))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(directory.resolve(GatewayIdentity.CERT_CHAIN_FILE)
                        + ": the first certificate is not an X509-SVID: no-uri-san: ");
    }

    @Test
    void refusesLeafWithInvalidSpiffeId() {
        ca.newLeaf().uriSans("spiffe://red-mesh.local/ns//sa/x").issue().writeIstioFiles(directory);
        assertThatThrownBy(() -> GatewayIdentity.loadDirectory(directory))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("invalid-spiffe-id: ")
                .hasMessageContaining("empty segment");
    }

    @Test
    void refusesRootCertOfAnotherCa() throws Exception {
        ca.issueSvid(ID).writeIstioFiles(directory);
        Files.writeString(directory.resolve(GatewayIdentity.ROOT_CERT_FILE),
                CertificateAuthority.createRoot("red-mesh.local").certificatePem());
        assertThatThrownBy(() -> GatewayIdentity.loadDirectory(directory))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(directory.resolve(GatewayIdentity.CERT_CHAIN_FILE) + ": issuer 'CN=Root CA,O=red-mesh.local'"
                        + " is not among the roots in " + directory.resolve(GatewayIdentity.ROOT_CERT_FILE)
                        + " (the chain is not signed by any of them)");
    }

    @Test
    void refusesChainMissingItsIntermediate() throws Exception {
        IssuedCertificate svid = ca.createIntermediate().issueSvid(ID);
        svid.writeIstioFiles(directory);
        Files.writeString(directory.resolve(GatewayIdentity.CERT_CHAIN_FILE),
                PemStrings.of(svid.certificate()));
        assertThatThrownBy(() -> GatewayIdentity.loadDirectory(directory))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("issuer 'CN=Intermediate CA,O=red-mesh.local' is not among the roots");
    }

    @Test
    void refusesLeafAsRoot() throws Exception {
        IssuedCertificate svid = ca.issueSvid(ID);
        svid.writeIstioFiles(directory);
        Files.writeString(directory.resolve(GatewayIdentity.ROOT_CERT_FILE), svid.certChainPem());
        assertThatThrownBy(() -> GatewayIdentity.loadDirectory(directory))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(directory.resolve(GatewayIdentity.ROOT_CERT_FILE) + ": '' is not a CA certificate");
    }

    @Test
    void buildsFromMemoryWithTheSameChecks() {
        IssuedCertificate svid = ca.issueSvid(ID);
        assertThat(GatewayIdentity.of(svid.chain(), svid.privateKey(), List.of(ca.root())).spiffeId()).isEqualTo(ID);
        assertThatThrownBy(() -> GatewayIdentity.of(svid.chain(), ca.issueSvid(ID).privateKey(), List.of(ca.root())))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("private key: the EC private key does not belong");
        assertThatThrownBy(() -> GatewayIdentity.of(List.of(), svid.privateKey(), List.of(ca.root())))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("certificate chain: no certificate");
    }

    @Test
    void toStringNamesTheIdButNeverTheKey() {
        IssuedCertificate svid = ca.issueSvid(ID);
        GatewayIdentity identity = GatewayIdentity.of(svid.chain(), svid.privateKey(), List.of(ca.root()));
        assertThat(identity.toString()).startsWith("GatewayIdentity{" + ID + ", notAfter=")
                .doesNotContain(svid.privateKey().toString());
    }
}
