package io.fedgate.bench;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.security.NoSuchAlgorithmException;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import io.fedgate.core.pki.IssuedCertificate;
import io.fedgate.core.spiffe.SpiffeId;
import io.fedgate.core.demo.Mesh;
import io.fedgate.core.testing.FederationPki;
import io.fedgate.core.trust.PeerAuthorizer;
import io.fedgate.core.trust.PeerRefusedException;
import io.fedgate.core.trust.RefusalReason;
import io.fedgate.core.trust.SpiffeTrustManager;
import io.fedgate.core.trust.SvidVerifier;

/**
 * Cost of checking a peer's certificate chain, which every mTLS handshake pays once on each side (sessions are never
 * resumed, see {@code SslContexts}): {@link SvidVerifier#verify(X509Certificate...)} alone (URI SAN, key usage,
 * validity and a PKIX path validation to the bundle of the ID's trust domain), and the full
 * {@link SpiffeTrustManager#checkClientTrusted(X509Certificate[], String, SSLEngine)} an ingress runs, which adds the
 * {@link PeerAuthorizer} check of the peer's {@code clientID}.
 *
 * <p>Whether the signatures are really checked depends on the JDK's caches: its X.509 {@code CertificateFactory}
 * returns the same certificate object for the same encoding (a soft cache of 750 in JDK 17), and each certificate
 * remembers its last successful signature check. Both TLS stacks get peer certificates from that factory (the JDK's
 * own, and netty-tcnative through Netty's {@code LazyX509Certificate}), so:
 * <ul>
 *   <li>{@link #verify()} and {@link #checkClientTrusted()} reuse the same certificate objects: a peer presenting
 *       an SVID already seen, the steady state between two gateways, where no signature is verified again;</li>
 *   <li>{@link #verifyUncached()} parses the chain anew each time with {@code generateCertificates}, which bypasses
 *       the cache: a new SVID (first connection, after rotation), paying one ECDSA verification per signature;
 *       {@link #parseUncached()} is the parsing part of it alone.</li>
 * </ul>
 *
 * <p>The peer is green's egress for red, an EC P-256 X509-SVID as Istio issues it, minted either straight from
 * green's root ({@code issuer=root}, a chain of one) or from an intermediate under that root
 * ({@code issuer=intermediate}, leaf plus intermediate, as meshes with a plugged-in CA present it). The engine passed
 * to the trust manager is not handshaking, so the session invalidation it does in a real handshake is left out.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class PeerValidationBenchmark {

    /** Who issued the leaf: {@code root} (chain of one) or {@code intermediate} (leaf plus intermediate). */
    @Param({"root", "intermediate"})
    public String issuer;

    private X509Certificate[] chain;
    /** The chain's DER encodings, concatenated, for {@code generateCertificates}. */
    private byte[] chainEncoding;
    private CertificateFactory certificateFactory;
    private SvidVerifier verifier;
    private SpiffeTrustManager trustManager;
    private SSLEngine engine;

    @Setup
    public void setUp() throws CertificateException, NoSuchAlgorithmException {
        FederationPki pki = FederationPki.create();
        Mesh red = pki.red();
        Mesh green = pki.green();
        SpiffeId peer = green.egressId(red);
        IssuedCertificate svid;
        int expectedLength;
        switch (issuer) {
            case "root" -> {
                svid = green.egressFor(red);
                expectedLength = 1;
            }
            case "intermediate" -> {
                svid = green.ca().createIntermediate().issueSvid(peer);
                expectedLength = 2;
            }
            default -> throw new IllegalArgumentException("issuer: " + issuer + " (expected: root or intermediate)");
        }
        List<X509Certificate> presented = svid.chain();
        if (presented.size() != expectedLength) {
            throw new IllegalStateException("issuer=" + issuer + ": chain of " + presented.size()
                    + " certificates, expected " + expectedLength);
        }
        chain = presented.toArray(new X509Certificate[0]);
        ByteArrayOutputStream encoding = new ByteArrayOutputStream();
        for (X509Certificate certificate : chain) {
            encoding.writeBytes(certificate.getEncoded());
        }
        chainEncoding = encoding.toByteArray();
        certificateFactory = CertificateFactory.getInstance("X.509");
        X509Certificate[] parsed = parseUncached();
        if (!Arrays.equals(parsed, chain) || parsed[0] == chain[0]) {
            throw new IllegalStateException("parsing the chain anew gave " + Arrays.toString(parsed)
                    + (parsed[0] == chain[0] ? ", the cached objects" : ", not the chain"));
        }
        verifier = new SvidVerifier(pki.bundles());
        // How red's ingress admits green's egress: exactly its clientID.
        trustManager = new SpiffeTrustManager(verifier, green.egressAuthorizer(red));
        engine = SSLContext.getDefault().createSSLEngine();
        engine.setUseClientMode(false);

        for (SpiffeId verified : List.of(verify(), verifyUncached())) {
            if (!verified.equals(peer)) {
                throw new IllegalStateException("verified " + verified + ", expected " + peer);
            }
        }
        trustManager.checkClientTrusted(chain, "EC", engine);
        // The authorizer must really be consulted: the same chain is refused where another ID is expected.
        SpiffeTrustManager other = new SpiffeTrustManager(verifier, PeerAuthorizer.exactly(red.egressId(green)));
        try {
            other.checkClientTrusted(chain, "EC", engine);
            throw new IllegalStateException("a trust manager expecting " + red.egressId(green) + " accepted " + peer);
        } catch (PeerRefusedException e) {
            if (e.reason() != RefusalReason.SPIFFE_ID_MISMATCH) {
                throw new IllegalStateException("refused for " + e.reason() + ", expected spiffe-id-mismatch", e);
            }
        }
    }

    @Benchmark
    public SpiffeId verify() throws PeerRefusedException {
        return verifier.verify(chain);
    }

    @Benchmark
    public X509Certificate[] parseUncached() throws CertificateException {
        Collection<? extends Certificate> parsed =
                certificateFactory.generateCertificates(new ByteArrayInputStream(chainEncoding));
        return parsed.toArray(new X509Certificate[0]);
    }

    @Benchmark
    public SpiffeId verifyUncached() throws CertificateException {
        return verifier.verify(parseUncached());
    }

    @Benchmark
    public SSLEngine checkClientTrusted() throws PeerRefusedException {
        trustManager.checkClientTrusted(chain, "EC", engine);
        return engine;
    }
}
