package io.fedgate.core.demo;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import io.netty.handler.ssl.SslContext;

import io.fedgate.core.cli.StatusCommand;
import io.fedgate.core.pki.IssuedCertificate;
import io.fedgate.core.probe.DigestingBackend;
import io.fedgate.core.spiffe.SpiffeId;
import io.fedgate.core.status.PeerStatusView;
import io.fedgate.core.tls.GatewayIdentity;
import io.fedgate.core.tls.SslContexts;
import io.fedgate.core.tls.TlsProvider;
import io.fedgate.core.trust.PeerAuthorizer;
import io.fedgate.core.trust.TrustBundles;

/**
 * Two or more meshes federated pairwise on loopback, every gateway a process of its own: what {@code fedgate demo}
 * runs, and what the end-to-end tests and load benchmarks start.
 *
 * <p><b>Addresses.</b> Mesh number {@code m} (1, 2, ...) lives on {@code 127.0.m.0/24}, so every gateway keeps the
 * standard ports, as pods each have their own IP: the sample {@code echo} service at {@code 127.0.m.1}, the ingress
 * for the mesh numbered {@code p} at {@code 127.0.m.(10+p)}, the egress to it at {@code 127.0.m.(20+p)}. Red (1) and
 * green (2): red's {@code ingress-green-mesh} is {@code 127.0.1.12:15443}, red's {@code egress-green-mesh}
 * {@code 127.0.1.22:15443}, green's echo {@code 127.0.2.1:9080}.
 *
 * <p><b>Files.</b> Under the work directory: {@code certs/<mesh>/<gateway>/} (Istio's three files per gateway, plus
 * {@code certs/<mesh>/workload/} for a local client), {@code config/<mesh>/} (the Kubernetes YAML of the mesh's
 * control-plane namespace: one {@code ServiceMeshPeer} per peer with its root ConfigMap and service sets, and the
 * {@code echo} Service with its EndpointSlice) and {@code logs/}.
 *
 * <p>Every mesh exports its {@code demo/echo} to every peer and imports every peer's; a link {@code red -> green}
 * is a client in red calling green's echo through red's egress and green's ingress.
 */
public final class LoopbackFederation implements AutoCloseable {
    public static final String ECHO_NAMESPACE = "demo";
    public static final String ECHO_NAME = "echo";
    /** The local workload a mesh's clients run as, presenting its SVID to their egress. */
    public static final String WORKLOAD_ACCOUNT = "sleep";

    private final List<Site> sites = new ArrayList<>();
    private final Path directory;
    private final Ports ports;
    private final Breakage breakage;
    private final Path ingressJar;
    private final Path egressJar;
    private final List<String> jvmArgs;
    private final List<DigestingBackend> echoServices = new ArrayList<>();
    private final Map<String, GatewayProcess> gateways = new LinkedHashMap<>();

    /** What {@link #ports()} each gateway and sample service listens on. */
    public record Ports(int service, int discovery, int admin, int echo) {
        /** 15443, 8188, 15000 (Envoy's admin) and 9080 for the sample service. */
        public static Ports standard() {
            return new Ports(15443, 8188, 15000, 9080);
        }

        /** {@code base} to {@code base + 3}, in the order of the record. */
        public static Ports from(int base) {
            if (base < 1 || base > 65532) {
                throw new IllegalArgumentException("base port: " + base + " (expected: 1-65532)");
            }
            return new Ports(base, base + 1, base + 2, base + 3);
        }
    }

    /** A deliberate misconfiguration of the first mesh's {@code ServiceMeshPeer} for the second. */
    public enum Breakage {
        NONE,
        /** {@code clientID} names the peer's egress for itself rather than for us: a typical slip. */
        CLIENT_ID,
        /** {@code trustDomain} (and the {@code clientID} in it) is {@code <peer>.local} without {@code -mesh}. */
        TRUST_DOMAIN,
        /** The root ConfigMap holds our own root instead of the peer's. */
        CERTIFICATE_CHAIN;

        /** {@code clientid}, {@code trust-domain}, {@code certificate-chain} (case and {@code -}/{@code _} ignored). */
        public static Breakage parse(String text) {
            String key = text.toLowerCase(Locale.ROOT).replace("_", "").replace("-", "");
            for (Breakage breakage : values()) {
                if (breakage.name().toLowerCase(Locale.ROOT).replace("_", "").equals(key)) {
                    return breakage;
                }
            }
            throw new IllegalArgumentException("unknown breakage '" + text
                    + "' (expected: clientid, trust-domain or certificate-chain)");
        }

        /** As {@link #parse} reads it. */
        public String label() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    /** One mesh on loopback: its number, addresses, files. */
    public final class Site {
        private final int number;
        private final Mesh mesh;
        private final IssuedCertificate workload;

        Site(int number, Mesh mesh) {
            this.number = number;
            this.mesh = mesh;
            this.workload = mesh.ca().issueSvid(mesh.id(WORKLOAD_ACCOUNT));
        }

        public Mesh mesh() {
            return mesh;
        }

        /** The short name given on the command line, e.g. {@code red}. */
        public String shortName() {
            return mesh.name().replaceFirst("-mesh$", "");
        }

        public String echoHost() {
            return "127.0." + number + ".1";
        }

        public InetSocketAddress echoAddress() {
            return new InetSocketAddress(echoHost(), ports.echo());
        }

        public String ingressHost(Site peer) {
            return "127.0." + number + "." + (10 + peer.number);
        }

        public String egressHost(Site peer) {
            return "127.0." + number + "." + (20 + peer.number);
        }

        public Path configDirectory() {
            return directory.resolve("config").resolve(mesh.name());
        }

        public Path gatewayDirectory(String gateway) {
            return directory.resolve("certs").resolve(mesh.name()).resolve(gateway);
        }

        /** The local workload's files ({@code cert-chain.pem}, {@code key.pem}, {@code root-cert.pem}). */
        public Path workloadDirectory() {
            return gatewayDirectory("workload");
        }

        public SpiffeId workloadId() {
            return mesh.id(WORKLOAD_ACCOUNT);
        }

        /**
         * A TLS client context of this mesh's workload for calling its egress to {@code peer}: presents the workload
         * SVID and accepts exactly that egress's SPIFFE ID, under this mesh's root.
         */
        public SslContext workloadClientContext(Site peer) {
            return SslContexts.forClient(GatewayIdentity.of(workload.chain(), workload.privateKey(),
                            List.of(workload.root())),
                    TrustBundles.builder().add(mesh.trustDomain(), mesh.ca().root()).build(),
                    PeerAuthorizer.exactly(mesh.egressId(peer.mesh)), TlsProvider.preferred());
        }

        @Override
        public String toString() {
            return mesh.name();
        }
    }

    /** One direction of a federation: a client in {@code from} calling {@code to}'s echo. */
    public record Link(Site from, Site to) {
        /** The local import host of the peer's echo: {@code echo.demo.svc.<to>-imports.local}. */
        public String importedHost() {
            return ECHO_NAME + "." + ECHO_NAMESPACE + ".svc." + to.mesh().name() + "-imports.local";
        }

        @Override
        public String toString() {
            return from.shortName() + " -> " + to.shortName();
        }
    }

    private LoopbackFederation(Builder builder) {
        this.directory = builder.directory.toAbsolutePath();
        this.ports = builder.ports;
        this.breakage = builder.breakage;
        this.ingressJar = builder.ingressJar;
        this.egressJar = builder.egressJar;
        this.jvmArgs = List.copyOf(builder.jvmArgs);
        int number = 1;
        for (String name : builder.meshes) {
            sites.add(new Site(number++, Mesh.create(name + "-mesh")));
        }
    }

    /** A federation of {@code meshes} (short names, e.g. {@code red}, {@code green}), not yet written or started. */
    public static Builder builder(List<String> meshes) {
        return new Builder(meshes);
    }

    public List<Site> sites() {
        return List.copyOf(sites);
    }

    public Site site(String shortName) {
        return sites.stream().filter(site -> site.shortName().equals(shortName)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no mesh " + shortName + " in " + sites));
    }

    public Path directory() {
        return directory;
    }

    public Ports ports() {
        return ports;
    }

    public Breakage breakage() {
        return breakage;
    }

    /** Every ordered pair of meshes. */
    public List<Link> links() {
        List<Link> links = new ArrayList<>();
        for (Site from : sites) {
            for (Site to : sites) {
                if (from != to) {
                    links.add(new Link(from, to));
                }
            }
        }
        return links;
    }

    /**
     * The links {@link #breakage()} is meant to break: with a wrong {@code clientID} at the first mesh, the second
     * mesh's calls to it; with a wrong trust domain or root, both directions between the two.
     */
    public List<Link> brokenLinks() {
        if (breakage == Breakage.NONE) {
            return List.of();
        }
        Site first = sites.get(0);
        Site second = sites.get(1);
        return breakage == Breakage.CLIENT_ID ? List.of(new Link(second, first))
                : List.of(new Link(first, second), new Link(second, first));
    }

    /** Every address and port the federation will listen on, each with what listens there. */
    public Map<InetSocketAddress, String> listenAddresses() {
        Map<InetSocketAddress, String> addresses = new LinkedHashMap<>();
        for (Site site : sites) {
            addresses.put(site.echoAddress(), site.mesh.name() + " " + ECHO_NAME);
            for (Site peer : peersOf(site)) {
                String ingress = site.mesh.name() + " " + site.mesh.ingressName(peer.mesh);
                String egress = site.mesh.name() + " " + site.mesh.egressName(peer.mesh);
                for (int port : List.of(ports.service(), ports.discovery(), ports.admin())) {
                    addresses.put(new InetSocketAddress(site.ingressHost(peer), port), ingress);
                    addresses.put(new InetSocketAddress(site.egressHost(peer), port), egress);
                }
                addresses.put(new InetSocketAddress(site.egressHost(peer), ports.echo()), egress + " (plaintext)");
            }
        }
        return addresses;
    }

    /** The first address something else already listens on, with what we wanted it for and the error. */
    public Optional<String> firstAddressInUse() {
        for (Map.Entry<InetSocketAddress, String> entry : listenAddresses().entrySet()) {
            try (ServerSocket probe = new ServerSocket()) {
                probe.bind(entry.getKey());
            } catch (IOException e) {
                return Optional.of(entry.getKey().getHostString() + ":" + entry.getKey().getPort() + " (for "
                        + entry.getValue() + "): " + e.getMessage());
            }
        }
        return Optional.empty();
    }

    /** Writes every certificate and config directory. */
    public LoopbackFederation writeFiles() {
        for (Site site : sites) {
            for (Site peer : peersOf(site)) {
                site.mesh.ingressFor(peer.mesh).writeIstioFiles(site.gatewayDirectory(site.mesh.ingressName(peer.mesh)));
                site.mesh.egressFor(peer.mesh).writeIstioFiles(site.gatewayDirectory(site.mesh.egressName(peer.mesh)));
            }
            site.workload.writeIstioFiles(site.workloadDirectory());
            ConfigDirectory.write(site.configDirectory(), configFiles(site));
        }
        return this;
    }

    /** The YAML files of a mesh's config directory, by name. */
    public Map<String, String> configFiles(Site site) {
        Map<String, String> files = new LinkedHashMap<>();
        for (Site peer : peersOf(site)) {
            PeerResources resources = new PeerResources(site.mesh, peer.mesh)
                    .peerAddresses(peer.ingressHost(site))
                    .peerServicePort(ports.service())
                    .peerDiscoveryPort(ports.discovery())
                    .export(ECHO_NAMESPACE, ECHO_NAME)
                    .importFromPeer(ECHO_NAMESPACE, ECHO_NAME);
            if (site == sites.get(0) && peer == sites.get(1)) {
                breakInto(resources);
            }
            files.putAll(resources.files());
        }
        ServiceSpec echo = ServiceSpec.named(ECHO_NAMESPACE, ECHO_NAME).port("tcp-echo", ports.echo())
                .label("app", ECHO_NAME).endpoint(site.echoAddress());
        files.put("service-" + ECHO_NAMESPACE + "-" + ECHO_NAME + ".yaml", echo.yaml());
        return files;
    }

    private void breakInto(PeerResources resources) {
        Mesh local = resources.local();
        Mesh peer = resources.peer();
        switch (breakage) {
            case CLIENT_ID -> resources.clientId(peer.egressId(peer).principal());
            case TRUST_DOMAIN -> {
                // Consistently wrong, as an operator who believes the peer's domain is green.local would write it
                // (a clientID outside the trustDomain is a config error, refused before anything starts).
                String wrong = peer.name().replaceFirst("-mesh$", "") + ".local";
                resources.trustDomain(wrong).clientId(wrong + "/ns/" + peer.namespace() + "/sa/"
                        + peer.egressName(local) + "-service-account");
            }
            case CERTIFICATE_CHAIN -> resources.peerRoots(local.ca().rootCertificatePem());
            case NONE -> {
            }
        }
    }

    /** Starts each mesh's echo service in this JVM. */
    public LoopbackFederation startEchoServices() {
        for (Site site : sites) {
            echoServices.add(DigestingBackend.builder().echo().host(site.echoHost()).port(ports.echo())
                    .connectionTimeout(Duration.ofMinutes(10)).start());
        }
        return this;
    }

    /** The echo service of {@code site}, started by {@link #startEchoServices()}. */
    public DigestingBackend echoService(Site site) {
        return echoServices.get(sites.indexOf(site));
    }

    /**
     * Starts every ingress, waits until each listens, then every egress (so first watches find their peer), and
     * waits until each egress listens too. Processes of one kind start together: JVM start-up dominates.
     */
    public LoopbackFederation startGateways(Duration timeout) {
        List<GatewayProcess> ingresses = new ArrayList<>();
        for (Site site : sites) {
            for (Site peer : peersOf(site)) {
                ingresses.add(launchIngress(site, peer));
            }
        }
        ingresses.forEach(process -> awaitIngress(process, timeout));
        List<GatewayProcess> egresses = new ArrayList<>();
        for (Site site : sites) {
            for (Site peer : peersOf(site)) {
                egresses.add(launchEgress(site, peer));
            }
        }
        egresses.forEach(process -> awaitEgress(process, timeout));
        return this;
    }

    /** Starts (or restarts) {@code site}'s ingress for {@code peer} and waits until its listeners are bound. */
    public GatewayProcess startIngress(Site site, Site peer, Duration timeout) {
        return awaitIngress(launchIngress(site, peer), timeout);
    }

    /** Starts (or restarts) {@code site}'s egress to {@code peer} and waits until its listeners are bound. */
    public GatewayProcess startEgress(Site site, Site peer, Duration timeout) {
        return awaitEgress(launchEgress(site, peer), timeout);
    }

    private GatewayProcess launchIngress(Site site, Site peer) {
        return start(site, site.mesh.ingressName(peer.mesh), ingressJar, site.ingressHost(peer), List.of());
    }

    private GatewayProcess launchEgress(Site site, Site peer) {
        return start(site, site.mesh.egressName(peer.mesh), egressJar, site.egressHost(peer),
                List.of("--plaintext-port-base", Integer.toString(ports.echo())));
    }

    private static GatewayProcess awaitIngress(GatewayProcess process, Duration timeout) {
        process.awaitListening("service", timeout);
        process.awaitListening("discovery", timeout);
        process.awaitListening("admin", timeout);
        return process;
    }

    private static GatewayProcess awaitEgress(GatewayProcess process, Duration timeout) {
        process.awaitListening("service", timeout);
        process.awaitListening("admin", timeout);
        return process;
    }

    private synchronized GatewayProcess start(Site site, String name, Path jar, String host, List<String> extraArgs) {
        String key = key(site, name);
        GatewayProcess previous = gateways.remove(key);
        if (previous != null) {
            previous.close();
        }
        List<String> args = GatewayArguments.of(site.configDirectory(), site.mesh.namespace(), name,
                site.gatewayDirectory(name));
        args.addAll(List.of("--bind", host, "--service-port", Integer.toString(ports.service()),
                "--discovery-port", Integer.toString(ports.discovery()), "--admin-port", Integer.toString(ports.admin())));
        args.addAll(extraArgs);
        GatewayProcess process = GatewayProcess.jar(jar).name(site.mesh.name() + "-" + name).leakDetection(false)
                .jvmArgs(jvmArgs.toArray(String[]::new)).logDirectory(directory.resolve("logs")).args(args)
                .start();
        gateways.put(key, process);
        return process;
    }

    /** {@code site}'s ingress for {@code peer}, if started. */
    public Optional<GatewayProcess> ingress(Site site, Site peer) {
        return Optional.ofNullable(gateways.get(key(site, site.mesh.ingressName(peer.mesh))));
    }

    /** {@code site}'s egress to {@code peer}, if started. */
    public Optional<GatewayProcess> egress(Site site, Site peer) {
        return Optional.ofNullable(gateways.get(key(site, site.mesh.egressName(peer.mesh))));
    }

    /** Every gateway process started and not replaced, in start order. */
    public synchronized List<GatewayProcess> gateways() {
        return List.copyOf(gateways.values());
    }

    /** {@code host:port} of the admin listeners of {@code site}'s gateways for {@code peer}: ingress, egress. */
    public List<String> adminAddresses(Site site, Site peer) {
        return List.of(site.ingressHost(peer) + ":" + ports.admin(), site.egressHost(peer) + ":" + ports.admin());
    }

    /** Where a client in {@code link.from()} connects: its egress to {@code link.to()}, TLS and plaintext. */
    public InetSocketAddress egressService(Link link) {
        return new InetSocketAddress(link.from().egressHost(link.to()), ports.service());
    }

    public InetSocketAddress egressPlaintext(Link link) {
        return new InetSocketAddress(link.from().egressHost(link.to()), ports.echo());
    }

    /**
     * The {@code ServiceMeshPeer} status of {@code peer} in {@code site}'s namespace, as {@code fedgate status}
     * prints it; empty with the problems if no gateway answered.
     */
    public Optional<PeerStatusView> status(Site site, Site peer, List<String> problems) {
        return StatusCommand.query(peer.mesh.name(), adminAddresses(site, peer), problems::add);
    }

    /**
     * Whether every {@code ServiceMeshPeer} reports {@code connected}, except those of the links in {@code except}:
     * a link L -> P carries traffic over L's egress, whose watch of P is the status of P in L's namespace.
     */
    public boolean allConnected(List<Link> except) {
        for (Site site : sites) {
            for (Site peer : peersOf(site)) {
                boolean broken = except.stream().anyMatch(link -> link.from() == site && link.to() == peer);
                if (!broken && !status(site, peer, new ArrayList<>()).map(PeerStatusView::connected).orElse(false)) {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * Polls until every peer not broken on purpose is connected, for at most {@code timeout}.
     *
     * @return whether they all connected in time
     */
    public boolean awaitConnected(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<Link> broken = brokenLinks();
        while (true) {
            if (allConnected(broken)) {
                return true;
            }
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(100);
        }
    }

    private List<Site> peersOf(Site site) {
        return sites.stream().filter(other -> other != site).toList();
    }

    private static String key(Site site, String gateway) {
        return site.mesh.name() + "/" + gateway;
    }

    /** Stops every gateway (SIGTERM, then SIGKILL after a bound) and the echo services. */
    @Override
    public synchronized void close() {
        for (GatewayProcess process : gateways.values()) {
            process.close();
        }
        gateways.clear();
        echoServices.forEach(DigestingBackend::close);
        echoServices.clear();
    }

    /** How to build a federation. */
    public static final class Builder {
        private final List<String> meshes;
        private Path directory;
        private Ports ports = Ports.standard();
        private Breakage breakage = Breakage.NONE;
        private Path ingressJar;
        private Path egressJar;
        private final List<String> jvmArgs = new ArrayList<>();

        Builder(List<String> meshes) {
            requireNonNull(meshes, "meshes");
            if (meshes.size() < 2 || meshes.size() > 9) {
                throw new IllegalArgumentException("meshes: " + meshes + " (expected: 2 to 9 names)");
            }
            if (meshes.stream().distinct().count() != meshes.size()) {
                throw new IllegalArgumentException("meshes: " + meshes + " (expected: distinct names)");
            }
            for (String mesh : meshes) {
                if (!mesh.matches("[a-z]([a-z0-9-]{0,40}[a-z0-9])?")) {
                    throw new IllegalArgumentException("mesh name '" + mesh
                            + "' (expected: lower-case letters, digits and '-', as a Kubernetes name)");
                }
            }
            this.meshes = List.copyOf(meshes);
        }

        /** Where the files go (created if missing). Required. */
        public Builder directory(Path directory) {
            this.directory = requireNonNull(directory, "directory");
            return this;
        }

        public Builder ports(Ports ports) {
            this.ports = requireNonNull(ports, "ports");
            return this;
        }

        public Builder breakage(Breakage breakage) {
            this.breakage = requireNonNull(breakage, "breakage");
            return this;
        }

        /** The gateway jars; default {@link GatewayProcess#ingressJar()} and {@link GatewayProcess#egressJar()}. */
        public Builder jars(Path ingressJar, Path egressJar) {
            this.ingressJar = requireNonNull(ingressJar, "ingressJar");
            this.egressJar = requireNonNull(egressJar, "egressJar");
            return this;
        }

        /** JVM options for every gateway, e.g. a heap bound. */
        public Builder jvmArgs(List<String> jvmArgs) {
            this.jvmArgs.addAll(jvmArgs);
            return this;
        }

        public LoopbackFederation build() {
            requireNonNull(directory, "directory");
            if (ingressJar == null) {
                ingressJar = GatewayProcess.ingressJar();
                egressJar = GatewayProcess.egressJar();
            }
            try {
                Files.createDirectories(directory);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create " + directory, e);
            }
            return new LoopbackFederation(this);
        }
    }
}
