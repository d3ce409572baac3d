package io.fedgate.core.demo;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.netty.handler.ssl.SslContext;

import io.fedgate.core.pki.CertificateAuthority;
import io.fedgate.core.pki.IssuedCertificate;
import io.fedgate.core.spiffe.SpiffeId;
import io.fedgate.core.tls.GatewayIdentity;
import io.fedgate.core.tls.SslContexts;
import io.fedgate.core.tls.TlsProvider;
import io.fedgate.core.trust.PeerAuthorizer;
import io.fedgate.core.trust.TrustBundles;

/**
 * One mesh, named as the federation reference names them: mesh {@code red-mesh}, control-plane namespace
 * {@code red-mesh-system}, trust domain {@code red-mesh.local}; its gateways for peer green are
 * {@code ingress-green-mesh} and {@code egress-green-mesh}, running as {@code <gateway>-service-account}. It owns
 * its root CA (EC P-256, minted on creation) and mints each gateway's SVID on first use, then reuses it.
 */
public final class Mesh {
    private final String name;
    private final CertificateAuthority ca;
    private final Map<String, IssuedCertificate> issued = new ConcurrentHashMap<>();

    private Mesh(String name) {
        this.name = name;
        this.ca = CertificateAuthority.createRoot(trustDomain());
    }

    /** A mesh named {@code name} (e.g. {@code red-mesh}) with a new root CA. */
    public static Mesh create(String name) {
        return new Mesh(requireNonNull(name, "name"));
    }

    /** e.g. {@code red-mesh}: how the peer names this mesh in its ServiceMeshPeer. */
    public String name() {
        return name;
    }

    /** e.g. {@code red-mesh-system}. */
    public String namespace() {
        return name + "-system";
    }

    /** e.g. {@code red-mesh.local}, the default {@code <peer name>.local}. */
    public String trustDomain() {
        return name + ".local";
    }

    /** This mesh's root CA; issue extra (or deliberately broken) SVIDs with it. */
    public CertificateAuthority ca() {
        return ca;
    }

    /** The workload ID of {@code serviceAccount} in this mesh's control-plane namespace. */
    public SpiffeId id(String serviceAccount) {
        return SpiffeId.ofServiceAccount(trustDomain(), namespace(), serviceAccount);
    }

    /** e.g. {@code ingress-green-mesh}. */
    public String ingressName(Mesh peer) {
        return "ingress-" + peer.name();
    }

    /** e.g. {@code egress-green-mesh}. */
    public String egressName(Mesh peer) {
        return "egress-" + peer.name();
    }

    /** e.g. {@code spiffe://red-mesh.local/ns/red-mesh-system/sa/ingress-green-mesh-service-account}. */
    public SpiffeId ingressId(Mesh peer) {
        return id(ingressName(peer) + "-service-account");
    }

    /** e.g. {@code spiffe://red-mesh.local/ns/red-mesh-system/sa/egress-green-mesh-service-account}: the peer's {@code clientID}. */
    public SpiffeId egressId(Mesh peer) {
        return id(egressName(peer) + "-service-account");
    }

    /** The SVID of this mesh's ingress gateway for {@code peer}. */
    public IssuedCertificate ingressFor(Mesh peer) {
        return issued.computeIfAbsent(ingressName(peer), n -> ca.issueSvid(ingressId(peer)));
    }

    /** The SVID of this mesh's egress gateway for {@code peer}. */
    public IssuedCertificate egressFor(Mesh peer) {
        return issued.computeIfAbsent(egressName(peer), n -> ca.issueSvid(egressId(peer)));
    }

    /** {@link #ingressFor} as a loaded gateway identity. */
    public GatewayIdentity ingressIdentity(Mesh peer) {
        return identity(ingressFor(peer));
    }

    /** {@link #egressFor} as a loaded gateway identity. */
    public GatewayIdentity egressIdentity(Mesh peer) {
        return identity(egressFor(peer));
    }

    /** An authorizer accepting exactly this mesh's egress for {@code peer}: how {@code peer}'s ingress admits it. */
    public PeerAuthorizer egressAuthorizer(Mesh peer) {
        return PeerAuthorizer.exactly(egressId(peer));
    }

    /**
     * A TLS client context of this mesh's egress for {@code peer}, presenting its SVID and accepting the server
     * {@code server} allows; verified against both meshes' roots.
     */
    public SslContext egressClientContext(Mesh peer, PeerAuthorizer server) {
        return SslContexts.forClient(egressIdentity(peer), TrustBundles.builder()
                .add(trustDomain(), ca.root()).add(peer.trustDomain(), peer.ca().root()).build(), server,
                TlsProvider.preferred());
    }

    /** {@link #egressClientContext(Mesh, PeerAuthorizer)} accepting exactly {@code peer}'s ingress for this mesh. */
    public SslContext egressClientContext(Mesh peer) {
        return egressClientContext(peer, PeerAuthorizer.exactly(peer.ingressId(this)));
    }

    private static GatewayIdentity identity(IssuedCertificate svid) {
        return GatewayIdentity.of(svid.chain(), svid.privateKey(), List.of(svid.root()));
    }

    @Override
    public String toString() {
        return name;
    }
}
