package io.fedgate.core.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPrivateKey;
import java.util.Base64;
import java.util.List;

import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.sec.ECPrivateKey;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.bouncycastle.openssl.jcajce.JcePEMEncryptorBuilder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import io.fedgate.core.pki.CertificateAuthority;
import io.fedgate.core.pki.IssuedCertificate;
import io.fedgate.core.pki.KeyType;
import io.fedgate.core.spiffe.SpiffeId;

class PemTest {
    private static final SpiffeId ID = SpiffeId.parse("spiffe://red-mesh.local/ns/red-mesh-system/sa/ingress");

    private static CertificateAuthority ca;

    @BeforeAll
    static void mintCa() {
        ca = CertificateAuthority.createRoot("red-mesh.local");
    }

    @ParameterizedTest
    @EnumSource(KeyType.class)
    void readsPkcs8AndTraditionalKeys(KeyType keyType) {
        IssuedCertificate svid = ca.newSvid(ID).keyType(keyType).issue();
        String traditional = keyType == KeyType.EC_P256 ? "EC PRIVATE KEY" : "RSA PRIVATE KEY";
        assertThat(svid.privateKeyPem()).startsWith("-----BEGIN PRIVATE KEY-----");
        assertThat(svid.privateKeyPemTraditional()).startsWith("-----BEGIN " + traditional + "-----");

        PrivateKey pkcs8 = Pem.readPrivateKey(svid.privateKeyPem(), "key.pem");
        PrivateKey legacy = Pem.readPrivateKey(svid.privateKeyPemTraditional(), "key.pem");
        assertSameKey(pkcs8, svid.privateKey());
        assertSameKey(legacy, svid.privateKey());
    }

    @Test
    void readsTraditionalEcKeysWithoutTheOptionalPublicKey() throws Exception {
        // SEC1 (RFC 5915) makes the public key optional; some tools leave it out.
        IssuedCertificate svid = ca.issueSvid(ID);
        PrivateKeyInfo info = PrivateKeyInfo.getInstance(svid.privateKey().getEncoded());
        ECPrivateKey inner = ECPrivateKey.getInstance(info.parsePrivateKey());
        ECPrivateKey withoutPublicKey = new ECPrivateKey(256, inner.getKey(), info.getPrivateKeyAlgorithm().getParameters());
        String pem = "-----BEGIN EC PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(withoutPublicKey.getEncoded())
                + "\n-----END EC PRIVATE KEY-----\n";
        assertSameKey(Pem.readPrivateKey(pem, "key.pem"), svid.privateKey());
    }

    @Test
    void readsTheKeyAfterOtherBlocks() {
        IssuedCertificate svid = ca.issueSvid(ID);
        // Some tools write the certificate and the key into one file.
        assertSameKey(Pem.readPrivateKey(svid.certChainPem() + svid.privateKeyPem(), "combined.pem"), svid.privateKey());
    }

    @Test
    void readsCertificateBundlesInOrder() {
        CertificateAuthority intermediate = ca.createIntermediate();
        IssuedCertificate svid = intermediate.issueSvid(ID);
        List<X509Certificate> chain = Pem.readCertificates(svid.certChainPem(), "cert-chain.pem");
        assertThat(chain).containsExactlyElementsOf(svid.chain());
        assertThat(chain).hasSize(2);
        List<X509Certificate> roots = Pem.readCertificates(ca.certificatePem() + intermediate.certificatePem(), "roots");
        assertThat(roots).containsExactly(ca.root(), intermediate.certificate());
    }

    @Test
    void readsFilesAndNamesThemInErrors(@TempDir Path directory) throws Exception {
        IssuedCertificate svid = ca.issueSvid(ID);
        Path certs = Files.writeString(directory.resolve("cert-chain.pem"), svid.certChainPem());
        Path key = Files.writeString(directory.resolve("key.pem"), svid.privateKeyPem());
        assertThat(Pem.readCertificates(certs)).containsExactlyElementsOf(svid.chain());
        assertSameKey(Pem.readPrivateKey(key), svid.privateKey());

        Path missing = directory.resolve("missing.pem");
        assertThatThrownBy(() -> Pem.readCertificates(missing))
                .isInstanceOf(IllegalArgumentException.class).hasMessage(missing + ": no such file");
        assertThatThrownBy(() -> Pem.readPrivateKey(missing))
                .isInstanceOf(IllegalArgumentException.class).hasMessage(missing + ": no such file");
    }

    @Test
    void refusesTextWithoutCertificate() {
        assertThatThrownBy(() -> Pem.readCertificates("", "root-cert.pem"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("root-cert.pem: no PEM CERTIFICATE block found");
        assertThatThrownBy(() -> Pem.readCertificates(ca.issueSvid(ID).privateKeyPem(), "root-cert.pem"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("root-cert.pem: no PEM CERTIFICATE block found");
    }

    @Test
    void refusesCorruptCertificate() {
        String pem = "-----BEGIN CERTIFICATE-----\nMIIBnotbase64atall\n-----END CERTIFICATE-----\n";
        assertThatThrownBy(() -> Pem.readCertificates(pem, "cert-chain.pem"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("cert-chain.pem: certificate does not parse");
    }

    @Test
    void refusesTextWithoutKey() {
        assertThatThrownBy(() -> Pem.readPrivateKey(ca.certificatePem(), "key.pem"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("key.pem: no PEM PRIVATE KEY block found");
        assertThatThrownBy(() -> Pem.readPrivateKey("", "key.pem"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("key.pem: no PEM PRIVATE KEY block found");
    }

    @Test
    void refusesCorruptKey() {
        String pem = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n";
        assertThatThrownBy(() -> Pem.readPrivateKey(pem, "key.pem"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("key.pem: ");
    }

    @Test
    void refusesEncryptedKeysInBothForms() throws Exception {
        PrivateKey key = ca.issueSvid(ID).privateKey();
        StringWriter pkcs8 = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(pkcs8)) {
            writer.writeObject(new JcaPKCS8Generator(key, new JceOpenSSLPKCS8EncryptorBuilder(
                    JcaPKCS8Generator.AES_256_CBC).setProvider(new BouncyCastleProvider())
                    .setPassword("secret".toCharArray()).build()));
        }
        StringWriter traditional = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(traditional)) {
            writer.writeObject(key, new JcePEMEncryptorBuilder("AES-256-CBC").setProvider(new BouncyCastleProvider())
                    .build("secret".toCharArray()));
        }
        assertThat(pkcs8.toString()).contains("ENCRYPTED PRIVATE KEY");
        assertThatThrownBy(() -> Pem.readPrivateKey(pkcs8.toString(), "key.pem"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("key.pem: encrypted private keys are not supported");
        assertThatThrownBy(() -> Pem.readPrivateKey(traditional.toString(), "key.pem"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("key.pem: encrypted private keys are not supported");
    }

    /** Same key material; encodings may differ (a SEC1 key read back carries its curve twice). */
    private static void assertSameKey(PrivateKey actual, PrivateKey expected) {
        assertThat(actual.getAlgorithm()).isEqualTo(expected.getAlgorithm());
        if (expected instanceof java.security.interfaces.ECPrivateKey) {
            assertThat(((java.security.interfaces.ECPrivateKey) actual).getS())
                    .isEqualTo(((java.security.interfaces.ECPrivateKey) expected).getS());
            assertThat(((java.security.interfaces.ECPrivateKey) actual).getParams().getOrder())
                    .isEqualTo(((java.security.interfaces.ECPrivateKey) expected).getParams().getOrder());
        } else {
            assertThat(((RSAPrivateKey) actual).getModulus()).isEqualTo(((RSAPrivateKey) expected).getModulus());
            assertThat(((RSAPrivateKey) actual).getPrivateExponent())
                    .isEqualTo(((RSAPrivateKey) expected).getPrivateExponent());
        }
    }
}
