package io.fedgate.core.testing;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.fedgate.core.spiffe.SpiffeId;
import io.fedgate.core.testing.FederationPki.Mesh;
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
 * per resource (a Service and its EndpointSlices share one file). {@link MeshConfig#write()} rewrites the directory:
 * each file is replaced atomically (written aside under a dot-name, which config readers skip, then moved) and files
 * no longer configured are deleted last. The directory as a whole does not change atomically, so a reload test
 * should signal the gateway after {@code write()} returns rather than race a directory watch.
 */
public final class FederationFixture {
    /** The annotation that asks the ingress to pass TLS through to the service instead of terminating it. */
    public static final String TLS_MODE_ANNOTATION = "fedgate.io/tls-mode";

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
            return new ArrayList<>(List.of("--config-dir", configDir.toString(), "--namespace", namespace(),
                    "--name", name, "--cert-chain", certChain().toString(), "--key", key().toString(),
                    "--root-cert", rootCert().toString()));
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
        private final Mesh local;
        private final Mesh peer;
        private final List<String> peerAddresses = new ArrayList<>(List.of("127.0.0.1"));
        private Integer servicePort;
        private Integer discoveryPort;
        private boolean peerRoots = true;
        private final List<String[]> exports = new ArrayList<>();
        private final List<String[]> imports = new ArrayList<>();
        private final Map<String, ServiceSpec> services = new TreeMap<>();
        private final Map<String, String> extraFiles = new TreeMap<>();

        MeshConfig(Path directory, Mesh local, Mesh peer) {
            this.directory = directory;
            this.local = local;
            this.peer = peer;
        }

        /** The directory {@link #write()} writes: the gateway's {@code --config-dir}. */
        public Path directory() {
            return directory;
        }

        /** The addresses of the peer's ingress gateway ({@code spec.remote.addresses}); default 127.0.0.1. */
        public MeshConfig peerAddresses(String... addresses) {
            if (addresses.length == 0) {
                throw new IllegalArgumentException("peerAddresses: none (expected: at least one)");
            }
            peerAddresses.clear();
            peerAddresses.addAll(List.of(addresses));
            return this;
        }

        /** The peer ingress's service port ({@code spec.remote.servicePort}); default: not written (15443). */
        public MeshConfig peerServicePort(int port) {
            this.servicePort = checkPort(port, "peerServicePort");
            return this;
        }

        /** The peer ingress's discovery port ({@code spec.remote.discoveryPort}); default: not written (8188). */
        public MeshConfig peerDiscoveryPort(int port) {
            this.discoveryPort = checkPort(port, "peerDiscoveryPort");
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
            this.peerRoots = false;
            return this;
        }

        /** Exports {@code namespace/name} to the peer (a NameSelector rule of the ExportedServiceSet). */
        public MeshConfig export(String namespace, String name) {
            exports.add(new String[] {requireNonNull(namespace, "namespace"), requireNonNull(name, "name")});
            return this;
        }

        /** Stops exporting {@code namespace/name}. */
        public MeshConfig unexport(String namespace, String name) {
            exports.removeIf(rule -> rule[0].equals(namespace) && rule[1].equals(name));
            return this;
        }

        /** Imports what the peer exports as {@code namespace/name} ({@code "*"} for all; not as local). */
        public MeshConfig importFromPeer(String namespace, String name) {
            imports.add(new String[] {requireNonNull(namespace, "namespace"), requireNonNull(name, "name")});
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
            Map<String, String> files = new LinkedHashMap<>();
            files.put("servicemeshpeer-" + peer.name() + ".yaml", serviceMeshPeer());
            if (peerRoots) {
                files.put("configmap-" + rootConfigMapName() + ".yaml", rootConfigMap());
            }
            if (!exports.isEmpty()) {
                files.put("exportedserviceset-" + peer.name() + ".yaml", exportedServiceSet());
            }
            if (!imports.isEmpty()) {
                files.put("importedserviceset-" + peer.name() + ".yaml", importedServiceSet());
            }
            for (ServiceSpec service : services.values()) {
                files.put("service-" + service.namespace() + "-" + service.name() + ".yaml", service.yaml());
            }
            files.putAll(extraFiles);
            return files;
        }

        /**
         * Writes {@link #files()} into {@link #directory()} (created if missing): each file atomically replaced,
         * then any other {@code *.yaml}/{@code *.yml} in the directory deleted.
         *
         * @return {@link #directory()}
         */
        public Path write() {
            Map<String, String> files = files();
            try {
                Files.createDirectories(directory);
                for (Map.Entry<String, String> file : files.entrySet()) {
                    Path aside = directory.resolve("." + file.getKey() + ".tmp");
                    Files.writeString(aside, file.getValue());
                    Files.move(aside, directory.resolve(file.getKey()), StandardCopyOption.ATOMIC_MOVE,
                            StandardCopyOption.REPLACE_EXISTING);
                }
                List<Path> stale = new ArrayList<>();
                try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory, "*.{yaml,yml}")) {
                    for (Path entry : entries) {
                        if (!files.containsKey(entry.getFileName().toString())) {
                            stale.add(entry);
                        }
                    }
                }
                for (Path path : stale) {
                    Files.delete(path);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write " + directory, e);
            }
            return directory;
        }

        private String rootConfigMapName() {
            return peer.name() + "-ca-root-cert";
        }

        private String serviceMeshPeer() {
            StringBuilder yaml = new StringBuilder()
                    .append("apiVersion: federation.maistra.io/v1\n")
                    .append("kind: ServiceMeshPeer\n")
                    .append(metadata(peer.name(), local.namespace()))
                    .append("spec:\n")
                    .append("  remote:\n")
                    .append("    addresses:\n");
            for (String address : peerAddresses) {
                yaml.append("    - ").append(quote(address)).append('\n');
            }
            if (servicePort != null) {
                yaml.append("    servicePort: ").append(servicePort).append('\n');
            }
            if (discoveryPort != null) {
                yaml.append("    discoveryPort: ").append(discoveryPort).append('\n');
            }
            return yaml.append("  gateways:\n")
                    .append("    ingress:\n")
                    .append("      name: ").append(local.ingressName(peer)).append('\n')
                    .append("    egress:\n")
                    .append("      name: ").append(local.egressName(peer)).append('\n')
                    .append("  security:\n")
                    .append("    trustDomain: ").append(peer.trustDomain()).append('\n')
                    .append("    clientID: ").append(peer.egressId(local).principal()).append('\n')
                    .append("    certificateChain:\n")
                    .append("      kind: ConfigMap\n")
                    .append("      name: ").append(rootConfigMapName()).append('\n')
                    .toString();
        }

        private String rootConfigMap() {
            return "apiVersion: v1\n"
                    + "kind: ConfigMap\n"
                    + metadata(rootConfigMapName(), local.namespace())
                    + "data:\n"
                    + "  root-cert.pem: |\n"
                    + indent(peer.ca().rootCertificatePem(), "    ");
        }

        private String exportedServiceSet() {
            StringBuilder yaml = new StringBuilder()
                    .append("apiVersion: federation.maistra.io/v1\n")
                    .append("kind: ExportedServiceSet\n")
                    .append(metadata(peer.name(), local.namespace()))
                    .append("spec:\n")
                    .append("  exportRules:\n");
            for (String[] rule : exports) {
                yaml.append("  - type: NameSelector\n")
                        .append("    nameSelector:\n")
                        .append("      namespace: ").append(quote(rule[0])).append('\n')
                        .append("      name: ").append(quote(rule[1])).append('\n');
            }
            return yaml.toString();
        }

        private String importedServiceSet() {
            StringBuilder yaml = new StringBuilder()
                    .append("apiVersion: federation.maistra.io/v1\n")
                    .append("kind: ImportedServiceSet\n")
                    .append(metadata(peer.name(), local.namespace()))
                    .append("spec:\n")
                    .append("  importRules:\n");
            for (String[] rule : imports) {
                yaml.append("  - type: NameSelector\n")
                        .append("    importAsLocal: false\n")
                        .append("    nameSelector:\n")
                        .append("      namespace: ").append(quote(rule[0])).append('\n')
                        .append("      name: ").append(quote(rule[1])).append('\n');
            }
            return yaml.toString();
        }

        private static Integer checkPort(int port, String name) {
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException(name + ": " + port + " (expected: 1-65535)");
            }
            return port;
        }
    }

    static String metadata(String name, String namespace) {
        return "metadata:\n"
                + "  name: " + quote(name) + "\n"
                + "  namespace: " + quote(namespace) + "\n";
    }

    /** A double-quoted YAML scalar. */
    static String quote(String value) {
        return '"' + value.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }

    static String indent(String text, String prefix) {
        StringBuilder out = new StringBuilder();
        for (String line : text.split("\n")) {
            out.append(prefix).append(line).append('\n');
        }
        return out.toString();
    }
}
