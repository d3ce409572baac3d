package io.fedgate.core.pki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.fedgate.core.spiffe.InvalidSpiffeIdException;
import io.fedgate.core.spiffe.SpiffeId;
import io.fedgate.core.tls.GatewayIdentity;
import io.fedgate.core.tls.Pem;

class CertificateAuthorityTest {
    private static final Instant NOW = Instant.parse("2030-06-01T12:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    private static final SpiffeId ID = SpiffeId.parse("spiffe://green-mesh.local/ns/green-mesh-system/sa/egress");

    @Test
    void rootIsASelfSignedCaForItsTrustDomain() throws Exception {
        CertificateAuthority root = CertificateAuthority.newRoot("green-mesh.local").clock(CLOCK).build();
        X509Certificate certificate = root.certificate();
        assertThat(root.trustDomain()).isEqualTo("green-mesh.local");
        assertThat(root.root()).isSameAs(certificate);
        assertThat(root.chain()).containsExactly(certificate);
        assertThat(certificate.getSubjectX500Principal().getName()).isEqualTo("CN=Root CA,O=green-mesh.local");
        assertThat(certificate.getIssuerX500Principal()).isEqualTo(certificate.getSubjectX500Principal());
        assertThat(certificate.getBasicConstraints()).isGreaterThanOrEqualTo(0);
        assertThat(certificate.getKeyUsage()[5]).as("keyCertSign").isTrue();
        assertThat(certificate.getPublicKey().getAlgorithm()).isEqualTo("EC");
        assertThat(certificate.getNotBefore().toInstant()).isEqualTo(NOW.minus(Duration.ofMinutes(5)));
        assertThat(certificate.getNotAfter().toInstant()).isEqualTo(NOW.plus(Duration.ofDays(3650)));
        certificate.verify(certificate.getPublicKey());
    }

    @Test
    void rootMayBeRsa() {
        CertificateAuthority root = CertificateAuthority.newRoot("red-mesh.local").keyType(KeyType.RSA_2048).build();
        assertThat(root.certificate().getPublicKey().getAlgorithm()).isEqualTo("RSA");
        assertThat(root.certificate().getSigAlgName()).isEqualTo("SHA256withRSA");
        assertThat(root.issueSvid(SpiffeId.parse("spiffe://red-mesh.local/x")).certificate().getSigAlgName())
                .isEqualTo("SHA256withRSA");
    }

    @Test
    void refusesInvalidTrustDomain() {
        assertThatThrownBy(() -> CertificateAuthority.createRoot("Green")).isInstanceOf(InvalidSpiffeIdException.class);
    }

    @Test
    void intermediatesChainToTheRootAndNeverOutliveTheirIssuer() throws Exception {
        CertificateAuthority root = CertificateAuthority.newRoot("green-mesh.local").clock(CLOCK)
                .validity(Duration.ofDays(30)).build();
        CertificateAuthority intermediate = root.createIntermediate();
        assertThat(intermediate.chain()).containsExactly(intermediate.certificate(), root.certificate());
        assertThat(intermediate.root()).isEqualTo(root.certificate());
        assertThat(intermediate.certificate().getNotAfter()).isEqualTo(root.certificate().getNotAfter());
        intermediate.certificate().verify(root.certificate().getPublicKey());

        IssuedCertificate svid = intermediate.issueSvid(ID);
        assertThat(svid.chain()).containsExactly(svid.certificate(), intermediate.certificate());
        assertThat(svid.root()).isEqualTo(root.certificate());
    }

    @Test
    void svidHasIstiosShape() throws Exception {
        CertificateAuthority root = CertificateAuthority.newRoot("green-mesh.local").clock(CLOCK).build();
        X509Certificate leaf = root.issueSvid(ID).certificate();
        assertThat(leaf.getSubjectX500Principal().getName()).isEmpty();
        assertThat(leaf.getCriticalExtensionOIDs()).contains("2.5.29.17");
        assertThat(leaf.getSubjectAlternativeNames()).containsExactly(List.of(6, ID.toString()));
        assertThat(leaf.getBasicConstraints()).isEqualTo(-1);
        assertThat(leaf.getKeyUsage()).startsWith(true, false, true, false, false, false, false);
        assertThat(leaf.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2");
        assertThat(leaf.getNotBefore().toInstant()).isEqualTo(NOW.minus(Duration.ofMinutes(5)));
        assertThat(leaf.getNotAfter().toInstant()).isEqualTo(NOW.plus(Duration.ofHours(24)));
        leaf.verify(root.certificate().getPublicKey());
    }

    @Test
    void builderMintsDeliberatelyBadLeaves() throws Exception {
        CertificateAuthority root = CertificateAuthority.newRoot("green-mesh.local").clock(CLOCK).build();
        X509Certificate leaf = root.newSvid(ID)
                .addUriSan("spiffe://green-mesh.local/second")
                .dnsSans("a.example", "b.example")
                .ca(true)
                .keyUsage(KeyUsage.KEY_CERT_SIGN)
                .subject("CN=bad")
                .notBefore(NOW.plus(Duration.ofDays(1)))
                .notAfter(NOW.plus(Duration.ofDays(2)))
                .issue().certificate();
        assertThat(leaf.getSubjectAlternativeNames()).containsExactly(List.of(6, ID.toString()),
                List.of(6, "spiffe://green-mesh.local/second"), List.of(2, "a.example"), List.of(2, "b.example"));
        assertThat(leaf.getCriticalExtensionOIDs()).doesNotContain("2.5.29.17");
        assertThat(leaf.getBasicConstraints()).isGreaterThanOrEqualTo(0);
        assertThat(leaf.getKeyUsage()).startsWith(false, false, false, false, false, true, false);
        assertThat(leaf.getSubjectX500Principal().getName()).isEqualTo("CN=bad");
        assertThat(leaf.getNotBefore().toInstant()).isEqualTo(NOW.plus(Duration.ofDays(1)));

        X509Certificate bare = root.newLeaf().withoutKeyUsage().issue().certificate();
        assertThat(bare.getSubjectAlternativeNames()).isNull();
        assertThat(bare.getKeyUsage()).isNull();
        assertThat(bare.getSubjectX500Principal().getName()).isEqualTo("CN=leaf without SAN");

        assertThatThrownBy(() -> root.newSvid(ID).notBefore(NOW).notAfter(NOW).issue())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("is not after notBefore");
    }

    @Test
    void writesIstioMountLayoutThatLoadsBack(@TempDir Path directory) throws Exception {
        CertificateAuthority root = CertificateAuthority.createRoot("green-mesh.local");
        IssuedCertificate svid = root.createIntermediate().issueSvid(ID);
        Path written = svid.writeIstioFiles(directory.resolve("etc/certs"));

        assertThat(Files.readString(written.resolve("cert-chain.pem"))).isEqualTo(svid.certChainPem());
        assertThat(Files.readString(written.resolve("key.pem"))).startsWith("-----BEGIN PRIVATE KEY-----");
        assertThat(Files.readString(written.resolve("root-cert.pem"))).isEqualTo(root.certificatePem());
        if (Files.getFileStore(written).supportsFileAttributeView("posix")) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(written.resolve("key.pem"))))
                    .isEqualTo("rw-------");
        }
        assertThat(Pem.readCertificates(written.resolve("root-cert.pem"))).containsExactly(root.root());
        assertThat(GatewayIdentity.loadDirectory(written).spiffeId()).isEqualTo(ID);
        // Writing again replaces the files.
        IssuedCertificate renewed = root.issueSvid(ID);
        renewed.writeIstioFiles(written);
        assertThat(GatewayIdentity.loadDirectory(written).certificate()).isEqualTo(renewed.certificate());
    }

    @Test
    void reloadsAPersistedCa() throws Exception {
        CertificateAuthority original = CertificateAuthority.createRoot("green-mesh.local").createIntermediate();
        CertificateAuthority loaded = CertificateAuthority.of("green-mesh.local",
                Pem.readCertificates(original.chainPem(), "ca-chain.pem"),
                Pem.readPrivateKey(original.privateKeyPem(), "ca-key.pem"), CLOCK);
        assertThat(loaded.chain()).isEqualTo(original.chain());
        IssuedCertificate svid = loaded.issueSvid(ID);
        svid.certificate().verify(original.certificate().getPublicKey());
        assertThat(svid.root()).isEqualTo(original.root());
        assertThat(loaded.toString())
                .isEqualTo("CertificateAuthority{CN=Intermediate CA,O=green-mesh.local, trustDomain=green-mesh.local, depth=1}");
    }
}
