package io.fedgate.core.trust;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.cert.CertPathValidatorException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.fedgate.core.pki.CertificateAuthority;
import io.fedgate.core.pki.IssuedCertificate;
import io.fedgate.core.pki.KeyType;
import io.fedgate.core.pki.KeyUsage;
import io.fedgate.core.spiffe.SpiffeId;

/** One test per refusal reason, plus the chain shapes a verifier must accept. */
class SvidVerifierTest {
    private static final Instant NOW = Instant.parse("2030-01-01T00:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    private static final SpiffeId CLIENT =
            SpiffeId.parse("spiffe://green-mesh.local/ns/green-mesh-system/sa/egress-red-mesh-service-account");

    private static CertificateAuthority green;
    private static CertificateAuthority red;
    private static SvidVerifier verifier;

    @BeforeAll
    static void mintRoots() {
        green = CertificateAuthority.newRoot("green-mesh.local").clock(CLOCK).build();
        red = CertificateAuthority.newRoot("red-mesh.local").clock(CLOCK).build();
        verifier = new SvidVerifier(TrustBundles.builder()
                .add("green-mesh.local", green.root())
                .add("red-mesh.local", red.root())
                .build(), CLOCK);
    }

    @Test
    void acceptsValidSvidAndReturnsItsId() throws Exception {
        assertThat(verifier.verify(green.issueSvid(CLIENT).chain())).isEqualTo(CLIENT);
    }

    @Test
    void acceptsRsaLeavesAndRsaRoots() throws Exception {
        CertificateAuthority rsaRoot = CertificateAuthority.newRoot("green-mesh.local").keyType(KeyType.RSA_2048)
                .clock(CLOCK).build();
        SvidVerifier rsa = new SvidVerifier(TrustBundles.builder().add("green-mesh.local", rsaRoot.root()).build(), CLOCK);
        assertThat(rsa.verify(rsaRoot.newSvid(CLIENT).keyType(KeyType.RSA_2048).issue().chain())).isEqualTo(CLIENT);
        assertThat(rsa.verify(rsaRoot.issueSvid(CLIENT).chain())).isEqualTo(CLIENT);
    }

    @Test
    void acceptsExtraDnsSans() throws Exception {
        IssuedCertificate svid = green.newSvid(CLIENT).dnsSans("egress.green-mesh-system.svc").issue();
        assertThat(verifier.verify(svid.chain())).isEqualTo(CLIENT);
    }

    @Test
    void acceptsChainsThroughIntermediatesInAnyOrderWithOrWithoutTheRoot() throws Exception {
        CertificateAuthority first = green.createIntermediate();
        CertificateAuthority second = first.createIntermediate();
        IssuedCertificate svid = second.issueSvid(CLIENT);
        List<X509Certificate> chain = svid.chain();
        assertThat(chain).hasSize(3);
        assertThat(verifier.verify(chain)).isEqualTo(CLIENT);
        assertThat(verifier.verify(chain.get(0), chain.get(2), chain.get(1))).isEqualTo(CLIENT);
        assertThat(verifier.verify(chain.get(0), chain.get(1), chain.get(2), green.root())).isEqualTo(CLIENT);
        // An unrelated certificate the peer threw in is ignored.
        assertThat(verifier.verify(chain.get(0), red.root(), chain.get(1), chain.get(2))).isEqualTo(CLIENT);
    }

    @Test
    void acceptsEitherRootOfABundleDuringRotation() throws Exception {
        CertificateAuthority next = CertificateAuthority.newRoot("green-mesh.local").clock(CLOCK).build();
        SvidVerifier rotating = new SvidVerifier(TrustBundles.builder()
                .add("green-mesh.local", green.root(), next.root()).build(), CLOCK);
        assertThat(rotating.verify(green.issueSvid(CLIENT).chain())).isEqualTo(CLIENT);
        assertThat(rotating.verify(next.issueSvid(CLIENT).chain())).isEqualTo(CLIENT);
    }

    @Test
    void noPeerCertificate() {
        assertRefused(List.of(), RefusalReason.NO_PEER_CERTIFICATE)
                .hasMessage("no-peer-certificate: peer presented no certificate, expected an X509-SVID");
        assertThatThrownBy(() -> verifier.verify((X509Certificate[]) null))
                .isInstanceOf(PeerRefusedException.class).hasMessageStartingWith("no-peer-certificate: ");
    }

    @Test
    void noUriSan() {
        assertRefused(green.newLeaf().dnsSans("egress.green-mesh-system.svc").issue().chain(), RefusalReason.NO_URI_SAN)
                .hasMessage("no-uri-san: presented a certificate without URI SAN (subject '', issuer "
                        + "'CN=Root CA,O=green-mesh.local'), expected exactly one SPIFFE ID");
        assertRefused(green.newLeaf().subject("CN=egress").issue().chain(), RefusalReason.NO_URI_SAN)
                .hasMessageContaining("subject 'CN=egress'");
    }

    @Test
    void multipleUriSans() {
        IssuedCertificate svid = green.newSvid(CLIENT).addUriSan("spiffe://green-mesh.local/other").issue();
        assertRefused(svid.chain(), RefusalReason.MULTIPLE_URI_SANS)
                .hasMessageStartingWith("multiple-uri-sans: presented 2 URI SANs [" + CLIENT
                        + ", spiffe://green-mesh.local/other]")
                .hasMessageEndingWith("expected exactly one SPIFFE ID");
    }

    @Test
    void invalidSpiffeId() {
        assertRefused(green.newLeaf().uriSans("spiffe://Green-Mesh.local/ns/x").issue().chain(),
                RefusalReason.INVALID_SPIFFE_ID)
                .hasMessageStartingWith("invalid-spiffe-id: presented URI SAN 'spiffe://Green-Mesh.local/ns/x', "
                        + "which is not a SPIFFE ID: trust domain must be lowercase");
        assertRefused(green.newLeaf().uriSans("https://green-mesh.local/x").issue().chain(), RefusalReason.INVALID_SPIFFE_ID);
    }

    @Test
    void untrustedTrustDomain() {
        SpiffeId blue = SpiffeId.parse("spiffe://blue-mesh.local/ns/blue-mesh-system/sa/egress");
        CertificateAuthority blueCa = CertificateAuthority.newRoot("blue-mesh.local").clock(CLOCK).build();
        assertRefused(blueCa.issueSvid(blue).chain(), RefusalReason.UNTRUSTED_TRUST_DOMAIN)
                .hasMessage("untrusted-trust-domain: presented " + blue + " (subject '', issuer 'CN=Root CA,O=blue-mesh.local'),"
                        + " but trust domain blue-mesh.local has no trust bundle, expected one of [green-mesh.local, red-mesh.local]");
        // A trusted CA cannot vouch for another trust domain either: the bundle is chosen by the ID.
        assertRefused(green.issueSvid(blue).chain(), RefusalReason.UNTRUSTED_TRUST_DOMAIN);
    }

    @Test
    void untrustedChainFromForeignCaWithTheSameName() {
        CertificateAuthority impostor = CertificateAuthority.newRoot("green-mesh.local").clock(CLOCK).build();
        assertRefused(impostor.issueSvid(CLIENT).chain(), RefusalReason.UNTRUSTED_CHAIN)
                .hasMessageStartingWith("untrusted-chain: presented " + CLIENT
                        + " (subject '', issuer 'CN=Root CA,O=green-mesh.local'), which does not chain to the "
                        + "green-mesh.local trust bundle, expected a chain to one of ['CN=Root CA,O=green-mesh.local']: ")
                .hasCauseInstanceOf(CertPathValidatorException.class);
    }

    @Test
    void untrustedChainWhenAnotherDomainsCaSignedIt() {
        // red's CA is trusted, but only for red-mesh.local.
        assertRefused(red.issueSvid(CLIENT).chain(), RefusalReason.UNTRUSTED_CHAIN)
                .hasMessageContaining("issuer 'CN=Root CA,O=red-mesh.local'")
                .hasMessageContaining("does not chain to the green-mesh.local trust bundle");
    }

    @Test
    void untrustedChainWhenTheIntermediateIsMissing() {
        IssuedCertificate svid = green.createIntermediate().issueSvid(CLIENT);
        assertRefused(List.of(svid.certificate()), RefusalReason.UNTRUSTED_CHAIN)
                .hasMessageContaining("issuer 'CN=Intermediate CA,O=green-mesh.local'");
    }

    @Test
    void untrustedChainWhenAnIntermediateIsNotACa() {
        CertificateAuthority notCa = green.newIntermediate().ca(false).build();
        assertRefused(notCa.issueSvid(CLIENT).chain(), RefusalReason.UNTRUSTED_CHAIN)
                .hasMessageContaining("intermediate subject 'CN=Intermediate CA,O=green-mesh.local'");
    }

    @Test
    void untrustedChainWhenAnSvidIssuesAnSvid() {
        IssuedCertificate leaf = green.newSvid(SpiffeId.parse("spiffe://green-mesh.local/issuer")).subject("CN=issuer").issue();
        List<X509Certificate> issuerChain = new ArrayList<>(leaf.chain());
        issuerChain.add(green.root());
        CertificateAuthority leafAsCa = CertificateAuthority.of("green-mesh.local", issuerChain, leaf.privateKey(), CLOCK);
        assertRefused(leafAsCa.issueSvid(CLIENT).chain(), RefusalReason.UNTRUSTED_CHAIN);
    }

    @Test
    void untrustedChainWhenTooLong() {
        CertificateAuthority ca = green;
        for (int i = 0; i < SvidVerifier.MAX_CHAIN_LENGTH; i++) {
            ca = ca.createIntermediate();
        }
        assertRefused(ca.issueSvid(CLIENT).chain(), RefusalReason.UNTRUSTED_CHAIN)
                .hasMessageContaining("chain of 9 certificates, expected at most 8");
    }

    @Test
    void certificateExpired() {
        IssuedCertificate svid = green.newSvid(CLIENT).notBefore(NOW.minus(Duration.ofDays(2)))
                .notAfter(NOW.minusSeconds(1)).issue();
        assertRefused(svid.chain(), RefusalReason.CERTIFICATE_EXPIRED)
                .hasMessageStartingWith("certificate-expired: presented " + CLIENT + ", which expired at "
                        + NOW.minusSeconds(1) + " (now " + NOW + ", subject '', issuer 'CN=Root CA,O=green-mesh.local')")
                .cause().isInstanceOfSatisfying(CertPathValidatorException.class, e ->
                        assertThat(e.getReason()).isEqualTo(CertPathValidatorException.BasicReason.EXPIRED));
    }

    @Test
    void certificateExpiredIsCheckedOnTheInjectedClock() throws Exception {
        IssuedCertificate svid = green.issueSvid(CLIENT);
        Instant notAfter = svid.certificate().getNotAfter().toInstant();
        SvidVerifier atNotAfter = new SvidVerifier(verifier.bundles(), Clock.fixed(notAfter, ZoneOffset.UTC));
        assertThat(atNotAfter.verify(svid.chain())).isEqualTo(CLIENT);
        SvidVerifier later = new SvidVerifier(verifier.bundles(), Clock.fixed(notAfter.plusSeconds(1), ZoneOffset.UTC));
        assertThatThrownBy(() -> later.verify(svid.chain())).isInstanceOfSatisfying(PeerRefusedException.class,
                e -> assertThat(e.reason()).isEqualTo(RefusalReason.CERTIFICATE_EXPIRED));
    }

    @Test
    void certificateExpiredWhenAnIntermediateHas() {
        CertificateAuthority intermediate = green.newIntermediate()
                .notBefore(NOW.minus(Duration.ofDays(10))).notAfter(NOW.minus(Duration.ofDays(1))).build();
        // The leaf itself is in its validity period; its issuer is not.
        IssuedCertificate svid = intermediate.newSvid(CLIENT).notBefore(NOW.minus(Duration.ofDays(2)))
                .notAfter(NOW.plus(Duration.ofDays(1))).issue();
        assertRefused(svid.chain(), RefusalReason.CERTIFICATE_EXPIRED)
                .hasMessageContaining("intermediate subject 'CN=Intermediate CA,O=green-mesh.local'");
    }

    @Test
    void aRememberedPathStillExpiresWithItsIntermediate() throws Exception {
        // The intermediate ends before the leaf does; a path validated while both were in date must not outlive it.
        CertificateAuthority intermediate = green.newIntermediate()
                .notBefore(NOW.minus(Duration.ofDays(10))).notAfter(NOW.plus(Duration.ofHours(1))).build();
        IssuedCertificate svid = intermediate.newSvid(CLIENT).notBefore(NOW.minus(Duration.ofDays(2)))
                .notAfter(NOW.plus(Duration.ofDays(1))).issue();
        MutableClock clock = new MutableClock(NOW);
        SvidVerifier remembering = new SvidVerifier(verifier.bundles(), clock);

        assertThat(remembering.verify(reparsed(svid.chain()))).isEqualTo(CLIENT);
        assertThat(remembering.verify(reparsed(svid.chain()))).as("the same bytes again").isEqualTo(CLIENT);
        clock.now = NOW.plus(Duration.ofHours(2));
        assertThatThrownBy(() -> remembering.verify(reparsed(svid.chain())))
                .isInstanceOfSatisfying(PeerRefusedException.class,
                        e -> assertThat(e.reason()).isEqualTo(RefusalReason.CERTIFICATE_EXPIRED));
    }

    @Test
    void aRememberedPathIsNotTrustedByAnotherVerifier() throws Exception {
        IssuedCertificate svid = green.issueSvid(CLIENT);
        assertThat(verifier.verify(reparsed(svid.chain()))).isEqualTo(CLIENT);
        // The same chain, to a verifier whose green bundle holds another root: validated anew, and refused.
        CertificateAuthority other = CertificateAuthority.newRoot("green-mesh.local").clock(CLOCK).build();
        SvidVerifier rotatedAway = new SvidVerifier(TrustBundles.builder().add("green-mesh.local", other.root())
                .build(), CLOCK);
        assertThatThrownBy(() -> rotatedAway.verify(reparsed(svid.chain())))
                .isInstanceOfSatisfying(PeerRefusedException.class,
                        e -> assertThat(e.reason()).isEqualTo(RefusalReason.UNTRUSTED_CHAIN));
    }

    @Test
    void aForgedLeafWithTheRememberedIssuerIsValidatedAndRefused() throws Exception {
        IssuedCertificate genuine = green.issueSvid(CLIENT);
        assertThat(verifier.verify(reparsed(genuine.chain()))).isEqualTo(CLIENT);
        // Same SPIFFE ID and issuer name, signed by an impostor root: different bytes, so no shortcut.
        CertificateAuthority impostor = CertificateAuthority.newRoot("green-mesh.local").clock(CLOCK).build();
        assertRefused(impostor.issueSvid(CLIENT).chain(), RefusalReason.UNTRUSTED_CHAIN);
    }

    /** The chain as a TLS stack hands it over: new certificate objects parsed from the same bytes. */
    private static List<X509Certificate> reparsed(List<X509Certificate> chain) throws Exception {
        java.security.cert.CertificateFactory factory = java.security.cert.CertificateFactory.getInstance("X.509");
        List<X509Certificate> copies = new java.util.ArrayList<>();
        for (X509Certificate certificate : chain) {
            copies.add((X509Certificate) factory.generateCertificate(
                    new java.io.ByteArrayInputStream(certificate.getEncoded())));
        }
        return copies;
    }

    /** A clock a test can move. */
    private static final class MutableClock extends Clock {
        volatile Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    @Test
    void certificateNotYetValid() {
        IssuedCertificate svid = green.newSvid(CLIENT).notBefore(NOW.plusSeconds(60))
                .notAfter(NOW.plus(Duration.ofDays(1))).issue();
        assertRefused(svid.chain(), RefusalReason.CERTIFICATE_NOT_YET_VALID)
                .hasMessageStartingWith("certificate-not-yet-valid: presented " + CLIENT
                        + ", which is not valid before " + NOW.plusSeconds(60) + " (now " + NOW);
    }

    @Test
    void leafIsCa() {
        assertRefused(green.newSvid(CLIENT).ca(true).issue().chain(), RefusalReason.LEAF_IS_CA)
                .hasMessage("leaf-is-ca: presented " + CLIENT + " in a CA certificate (basicConstraints CA=true, "
                        + "subject '', issuer 'CN=Root CA,O=green-mesh.local'), expected a leaf certificate");
    }

    @Test
    void badKeyUsageWithKeyCertSign() {
        IssuedCertificate svid = green.newSvid(CLIENT).keyUsage(KeyUsage.DIGITAL_SIGNATURE, KeyUsage.KEY_CERT_SIGN).issue();
        assertRefused(svid.chain(), RefusalReason.BAD_KEY_USAGE)
                .hasMessage("bad-key-usage: presented " + CLIENT + " with key usage [digitalSignature, keyCertSign] "
                        + "(subject '', issuer 'CN=Root CA,O=green-mesh.local'), "
                        + "expected digitalSignature and neither keyCertSign nor cRLSign");
    }

    @Test
    void badKeyUsageWithCrlSign() {
        IssuedCertificate svid = green.newSvid(CLIENT).keyUsage(KeyUsage.DIGITAL_SIGNATURE, KeyUsage.CRL_SIGN).issue();
        assertRefused(svid.chain(), RefusalReason.BAD_KEY_USAGE).hasMessageContaining("[digitalSignature, cRLSign]");
    }

    @Test
    void badKeyUsageWithoutDigitalSignature() {
        IssuedCertificate svid = green.newSvid(CLIENT).keyUsage(KeyUsage.KEY_ENCIPHERMENT).issue();
        assertRefused(svid.chain(), RefusalReason.BAD_KEY_USAGE).hasMessageContaining("with key usage [keyEncipherment]");
    }

    @Test
    void badKeyUsageWithoutTheExtension() {
        IssuedCertificate svid = green.newSvid(CLIENT).withoutKeyUsage().issue();
        assertRefused(svid.chain(), RefusalReason.BAD_KEY_USAGE).hasMessageContaining("(no key usage extension)");
    }

    private static AbstractThrowableAssert<?, ? extends Throwable> assertRefused(List<X509Certificate> chain,
                                                                                RefusalReason reason) {
        return assertThatThrownBy(() -> verifier.verify(chain))
                .isInstanceOfSatisfying(PeerRefusedException.class, e -> {
                    assertThat(e.reason()).isEqualTo(reason);
                    assertThat(e.getMessage()).isEqualTo(reason.code() + ": " + e.detail());
                });
    }
}
