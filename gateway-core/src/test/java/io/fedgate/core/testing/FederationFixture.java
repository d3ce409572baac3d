package io.fedgate.core.testing;

import static java.util.Objects.requireNonNull;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.fedgate.core.spiffe.SpiffeId;
import io.fedgate.core.demo.ConfigDirectory;
import io.fedgate.core.demo.GatewayArguments;
import io.fedgate.core.demo.GatewayProcess;
import io.fedgate.core.demo.Mesh;
import io.fedgate.core.demo.PeerResources;
import io.fedgate.core.demo.ServiceSpec;
import io.fedgate.core.tls.GatewayIdentity;

/**
 * A federation on disk for gateway integration tests: every gateway's certificate files from a
 * {@link FederationPki}, and per mesh a config directory of Kubernetes YAML, the files
 * {@code gateway-ingress.jar}/{@code gateway-egress.jar} read with {@code --config-dir}.
 *
 * <pre>{@code
 * FederationFixture federation = FederationFixture.create(tempDir);
 * try (DigestingBackend ratings = DigestingBackend.echo()) {
 *     FederationFixture.MeshConfig red = federation.redConfig()          // red's side of its federation with green
 *             .service(ServiceSpec.named("bookinfo", "ratings").port("http", 9080).endpoint(ratings.address()))
 *             .export("bookinfo", "ratings");
 *     red.write();
 *     FederationFixture.GatewayFiles ingress = federation.ingress(federation.pki().red(), federation.pki().green());
 *     try (GatewayProcess gateway = GatewayProcess.jar(GatewayProcess.ingressJar()).logDirectory(tempDir)
 *             .args(ingress.args(red)).start()) {
 *         InetSocketAddress service = gateway.awaitListening("service", Duration.ofSeconds(20));
 *         ...
 *         red.service(ServiceSpec.named("bookinfo", "reviews").port("http", 9080).endpoint(other)).write();
 *         gateway.sendSignal("HUP");                                     // reload test
 *     }
 * }
 * }</pre>
 *
 * <p>Layout under the root: {@code certs/} as {@link FederationPki#writeTo} writes it
 * ({@code certs/<mesh>/<gateway>/cert-chain.pem|key.pem|root-cert.pem}), and {@code config/<mesh>/} with one file
 * per resource (a Service and its EndpointSlices share one file). {@link MeshConfig#write()} rewrites the directory
 * with {@link ConfigDirectory#write}; signal a gateway after {@code write()} returns rather than race a watch.
 */
public final class FederationFixture {
    private final Path root;
    private final FederationPki pki;
    private final Path certs;

    private FederationFixture(Path root, FederationPki pki) {
        this.root = root;
        this.pki = pki;
        this.certs = pki.writeTo(root.resolve("certs"));
    }

    /** Mints a new {@link FederationPki} and writes its certificates under {@code root/certs}. */
    public static FederationFixture create(Path root) {
        return create(root, FederationPki.create());
    }

    /** Writes {@code pki}'s certificates under {@code root/certs}. */
    public static FederationFixture create(Path root, FederationPki pki) {
        requireNonNull(root, "root");
        requireNonNull(pki, "pki");
        return new FederationFixture(root, pki);
    }

    /** The certificates and identities. */
    public FederationPki pki() {
        return pki;
    }

    /** The directory everything is written under. */
    public Path root() {
        return root;
    }

    /** {@code root/certs}, in {@link FederationPki#writeTo}'s layout. */
    public Path certsDirectory() {
        return certs;
    }

    /**
     * The config directory of {@code local}'s federation with {@code peer}, {@code root/config/<local>}: a
     * ServiceMeshPeer for {@code peer} (remote address 127.0.0.1, default ports), {@code peer}'s root ConfigMap,
     * and whatever is added. Nothing is written until {@link MeshConfig#write()}.
     */
    public MeshConfig meshConfig(Mesh local, Mesh peer) {
        return new MeshConfig(root.resolve("config").resolve(local.name()), local, peer);
    }

    /** {@code meshConfig(red, green)}: what red's gateways for green read. */
    public MeshConfig redConfig() {
        return meshConfig(pki.red(), pki.green());
    }

    /** {@code meshConfig(green, red)}: what green's gateways for red read. */
    public MeshConfig greenConfig() {
        return meshConfig(pki.green(), pki.red());
    }

    /** The files of {@code local}'s ingress gateway for {@code peer}, e.g. red's {@code ingress-green-mesh}. */
    public GatewayFiles ingress(Mesh local, Mesh peer) {
        return new GatewayFiles(local, local.ingressName(peer), local.ingressId(peer),
                certs.resolve(local.name()).resolve(local.ingressName(peer)));
    }

    /** The files of {@code local}'s egress gateway for {@code peer}, e.g. red's {@code egress-green-mesh}. */
    public GatewayFiles egress(Mesh local, Mesh peer) {
        return new GatewayFiles(local, local.egressName(peer), local.egressId(peer),
                certs.resolve(local.name()).resolve(local.egressName(peer)));
    }

    /** One gateway's identity files and the command line that starts it. */
    public static final class GatewayFiles {
        private final Mesh mesh;
        private final String name;
        private final SpiffeId spiffeId;
        private final Path directory;

        GatewayFiles(Mesh mesh, String name, SpiffeId spiffeId, Path directory) {
            this.mesh = mesh;
            this.name = name;
            this.spiffeId = spiffeId;
            this.directory = directory;
        }

        /** The gateway's name, e.g. {@code ingress-green-mesh}: its {@code --name}. */
        public String name() {
            return name;
        }

        /** Its mesh's control-plane namespace, e.g. {@code red-mesh-system}: its {@code --namespace}. */
        public String namespace() {
            return mesh.namespace();
        }

        /** The SPIFFE ID in its certificate. */
        public SpiffeId spiffeId() {
            return spiffeId;
        }

        /** The directory of its three files. */
        public Path directory() {
            return directory;
        }

        /** {@code cert-chain.pem}. */
        public Path certChain() {
            return directory.resolve(GatewayIdentity.CERT_CHAIN_FILE);
        }

        /** {@code key.pem}. */
        public Path key() {
            return directory.resolve(GatewayIdentity.KEY_FILE);
        }

        /** {@code root-cert.pem}: its own mesh's root. */
        public Path rootCert() {
            return directory.resolve(GatewayIdentity.ROOT_CERT_FILE);
        }

        /** The arguments of a gateway reading {@code config}; see {@link #args(Path)}. */
        public List<String> args(MeshConfig config) {
            return args(config.directory());
        }

        /**
         * {@code --config-dir <configDir> --namespace .. --name .. --cert-chain .. --key .. --root-cert ..
         * --bind 127.0.0.1 --service-port 0 --discovery-port 0 --admin-port 0}: every listener on an ephemeral
         * loopback port, to be found with {@link GatewayProcess#awaitListening}. Append more to override nothing:
         * the gateway refuses an option given twice, so build other combinations from {@link #baseArgs(Path)}.
         */
        public List<String> args(Path configDir) {
            List<String> args = baseArgs(configDir);
            args.addAll(List.of("--bind", "127.0.0.1", "--service-port", "0", "--discovery-port", "0",
                    "--admin-port", "0"));
            return args;
        }

        /** Only the config, name and identity options (mutable list): add {@code --bind} and ports yourself. */
        public List<String> baseArgs(Path configDir) {
            requireNonNull(configDir, "configDir");
            return GatewayArguments.of(configDir, namespace(), name, directory);
        }

        @Override
        public String toString() {
            return namespace() + "/" + name + " (" + spiffeId + ", " + directory + ")";
        }
    }

    /**
     * One mesh's config directory for its federation with one peer, as a mutable description: change it, then
     * {@link #write()} it (again). Names and defaults follow {@link FederationPki}: the ServiceMeshPeer is named
     * after the peer mesh, its gateways are the local mesh's {@code ingress-<peer>}/{@code egress-<peer>}, its
     * client ID is the peer's egress for the local mesh, its root ConfigMap is {@code <peer>-ca-root-cert}.
     */
    public static final class MeshConfig {
        private final Path directory;
        private final PeerResources peer;
        private final Map<String, ServiceSpec> services = new TreeMap<>();
        private final Map<String, String> extraFiles = new TreeMap<>();

        MeshConfig(Path directory, Mesh local, Mesh peer) {
            this.directory = directory;
            this.peer = new PeerResources(local, peer);
        }

        /** The directory {@link #write()} writes: the gateway's {@code --config-dir}. */
        public Path directory() {
            return directory;
        }

        /** The federation resources themselves, for what the shortcuts here do not cover. */
        public PeerResources peer() {
            return peer;
        }

        /** The addresses of the peer's ingress gateway ({@code spec.remote.addresses}); default 127.0.0.1. */
        public MeshConfig peerAddresses(String... addresses) {
            peer.peerAddresses(addresses);
            return this;
        }

        /** The peer ingress's service port ({@code spec.remote.servicePort}); default: not written (15443). */
        public MeshConfig peerServicePort(int port) {
            peer.peerServicePort(port);
            return this;
        }

        /** The peer ingress's discovery port ({@code spec.remote.discoveryPort}); default: not written (8188). */
        public MeshConfig peerDiscoveryPort(int port) {
            peer.peerDiscoveryPort(port);
            return this;
        }

        /**
         * Where the peer's ingress listens, as {@link GatewayProcess#awaitListening} returns it: sets the remote
         * address and service port.
         */
        public MeshConfig peerIngress(InetSocketAddress service) {
            requireNonNull(service, "service");
            peerAddresses(service.getAddress().getHostAddress());
            return peerServicePort(service.getPort());
        }

        /** Leave out the peer's root ConfigMap (the ServiceMeshPeer still names it), for negative tests. */
        public MeshConfig withoutPeerRoots() {
            peer.withoutPeerRoots();
            return this;
        }

        /** Exports {@code namespace/name} to the peer (a NameSelector rule of the ExportedServiceSet). */
        public MeshConfig export(String namespace, String name) {
            peer.export(namespace, name);
            return this;
        }

        /** Stops exporting {@code namespace/name}. */
        public MeshConfig unexport(String namespace, String name) {
            peer.unexport(namespace, name);
            return this;
        }

        /** Imports what the peer exports as {@code namespace/name} ({@code "*"} for all; not as local). */
        public MeshConfig importFromPeer(String namespace, String name) {
            peer.importFromPeer(namespace, name);
            return this;
        }

        /** Adds a copy of {@code service} (Service and EndpointSlices), replacing one of the same namespace and name. */
        public MeshConfig service(ServiceSpec service) {
            requireNonNull(service, "service");
            services.put(service.namespace() + "/" + service.name(), service.copy());
            return this;
        }

        /** Removes the Service {@code namespace/name} and its EndpointSlices. */
        public MeshConfig removeService(String namespace, String name) {
            services.remove(namespace + "/" + name);
            return this;
        }

        /** Adds (or replaces) a file of any YAML, e.g. a deliberately broken resource. */
        public MeshConfig file(String fileName, String yaml) {
            requireNonNull(fileName, "fileName");
            if (fileName.startsWith(".") || fileName.contains("/") || !(fileName.endsWith(".yaml") || fileName.endsWith(".yml"))) {
                throw new IllegalArgumentException("fileName: " + fileName + " (expected: a plain *.yaml name)");
            }
            extraFiles.put(fileName, requireNonNull(yaml, "yaml"));
            return this;
        }

        /** The files {@link #write()} would write, by name, e.g. to load them with {@code ConfigFixtures.load}. */
        public Map<String, String> files() {
            Map<String, String> files = new LinkedHashMap<>(peer.files());
            for (ServiceSpec service : services.values()) {
                files.put("service-" + service.namespace() + "-" + service.name() + ".yaml", service.yaml());
            }
            files.putAll(extraFiles);
            return files;
        }

        /**
         * Writes {@link #files()} into {@link #directory()} with {@link ConfigDirectory#write}.
         *
         * @return {@link #directory()}
         */
        public Path write() {
            return ConfigDirectory.write(directory, files());
        }
    }
}
