package io.fedgate.core.testing;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;


import io.fedgate.core.demo.Mesh;
import io.fedgate.core.tls.GatewayIdentity;
import io.fedgate.core.trust.TrustBundles;

/**
 * Two federated meshes, {@code red} and {@code green}, each with its own root CA, named as the federation
 * reference names them: mesh {@code red-mesh}, control-plane namespace {@code red-mesh-system}, trust domain
 * {@code red-mesh.local}; its gateways for peer green are {@code ingress-green-mesh} and {@code egress-green-mesh},
 * running as {@code <gateway>-service-account}. Gateway SVIDs are minted on first use and then reused.
 *
 * <pre>{@code
 * FederationPki pki = FederationPki.create();
 * SslContext ingress = SslContexts.forServer(pki.red().ingressIdentity(pki.green()), pki.bundles(),
 *         PeerAuthorizer.exactly(pki.green().egressId(pki.red())), TlsProvider.select());
 * }</pre>
 */
public final class FederationPki {
    private final Mesh red;
    private final Mesh green;

    private FederationPki(Mesh red, Mesh green) {
        this.red = red;
        this.green = green;
    }

    /** Mints the two roots (EC P-256). Each call makes new, unrelated keys. */
    public static FederationPki create() {
        return new FederationPki(Mesh.create("red-mesh"), Mesh.create("green-mesh"));
    }

    /** The mesh {@code red-mesh} (trust domain {@code red-mesh.local}). */
    public Mesh red() {
        return red;
    }

    /** The mesh {@code green-mesh} (trust domain {@code green-mesh.local}). */
    public Mesh green() {
        return green;
    }

    /** Both meshes' roots, one bundle each: what either side's gateways trust. */
    public TrustBundles bundles() {
        return TrustBundles.builder()
                .add(red.trustDomain(), red.ca().root())
                .add(green.trustDomain(), green.ca().root())
                .build();
    }

    /**
     * Writes every gateway's files in Istio's layout: {@code <dir>/<mesh>/<gateway>/cert-chain.pem|key.pem|root-cert.pem}
     * for the four gateways, plus {@code <dir>/<mesh>/root-cert.pem}, the root a peer puts in its ConfigMap.
     *
     * @return {@code directory}
     */
    public Path writeTo(Path directory) {
        requireNonNull(directory, "directory");
        for (Mesh mesh : List.of(red, green)) {
            Mesh peer = mesh == red ? green : red;
            Path meshDirectory = directory.resolve(mesh.name());
            mesh.ingressFor(peer).writeIstioFiles(meshDirectory.resolve(mesh.ingressName(peer)));
            mesh.egressFor(peer).writeIstioFiles(meshDirectory.resolve(mesh.egressName(peer)));
            try {
                Files.writeString(meshDirectory.resolve(GatewayIdentity.ROOT_CERT_FILE), mesh.ca().rootCertificatePem());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return directory;
    }
}
