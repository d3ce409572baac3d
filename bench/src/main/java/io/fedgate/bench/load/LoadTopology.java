package io.fedgate.bench.load;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

import io.netty.handler.ssl.SslContext;
import io.netty.util.ReferenceCountUtil;

import io.fedgate.core.demo.ConfigDirectory;
import io.fedgate.core.demo.GatewayArguments;
import io.fedgate.core.demo.GatewayProcess;
import io.fedgate.core.demo.Mesh;
import io.fedgate.core.demo.PeerResources;
import io.fedgate.core.demo.ServiceSpec;
import io.fedgate.core.pki.IssuedCertificate;
import io.fedgate.core.routing.SniName;
import io.fedgate.core.spiffe.SpiffeId;
import io.fedgate.core.tls.GatewayIdentity;
import io.fedgate.core.tls.SslContexts;
import io.fedgate.core.tls.TlsProvider;
import io.fedgate.core.trust.PeerAuthorizer;
import io.fedgate.core.trust.TrustBundles;

/**
 * Everything a load run starts, each a process pinned to its core: on the <em>gateway core</em> the system under
 * test (red's ingress for green, green's egress for red, HAProxy, or for the baseline a bare TLS server); on the
 * <em>load core</em> the client (this JVM) and the services behind the gateways. Red exports four services to
 * green: {@code sink} and {@code echo} (plain, the ingress terminates mTLS) and {@code tls-sink} and
 * {@code tls-echo} (the ingress passes TLS through; the service terminates it).
 */
final class LoadTopology implements AutoCloseable {
    static final String NAMESPACE = "bench";
    private static final Duration STARTUP = Duration.ofSeconds(60);
    private static final Map<String, Integer> SERVICE_PORTS = Map.of("sink", 9080, "echo", 9081, "tls-sink", 9443,
            "tls-echo", 9444);

    private final Path directory;
    private final Mesh red = Mesh.create("red-mesh");
    private final Mesh green = Mesh.create("green-mesh");
    private final IssuedCertificate backendSvid = red.ca().issueSvid(red.id("backend"));
    private final IssuedCertificate workloadSvid = green.ca().issueSvid(green.id("sleep"));
    private final String[] gatewayCore;
    private final String[] loadCore;
    private final List<String> gatewayJvmArgs;
    private final List<String> backendJvmArgs;
    private final String accessLog;
    private final Map<String, GatewayProcess> processes = new LinkedHashMap<>();
    private final Map<String, InetSocketAddress> addresses = new LinkedHashMap<>();
    private final List<SslContext> contexts = new ArrayList<>();

    /** A system under test: its processes, and where to send each workload. */
    record Scenario(String key, String title, List<GatewayProcess> processes, LoadClient.Target sink,
                    LoadClient.Target echo) {
        List<Long> pids() {
            return processes.stream().map(GatewayProcess::pid).toList();
        }
    }

    /**
     * @param gatewayCore {@code taskset} prefix for the systems under test (empty: no pinning)
     * @param loadCore    {@code taskset} prefix for the backends
     * @param gatewayJvmArgs JVM options of the gateways and the direct TLS server
     * @param backendJvmArgs JVM options of the backends (the pass-through scenarios' TLS servers)
     * @param accessLog      the gateways' {@code --access-log}
     */
    LoadTopology(Path directory, List<String> gatewayCore, List<String> loadCore, List<String> gatewayJvmArgs,
                 List<String> backendJvmArgs, String accessLog) {
        this.accessLog = accessLog;
        this.directory = directory;
        this.gatewayCore = gatewayCore.toArray(String[]::new);
        this.loadCore = loadCore.toArray(String[]::new);
        this.gatewayJvmArgs = List.copyOf(gatewayJvmArgs);
        this.backendJvmArgs = List.copyOf(backendJvmArgs);
    }

    /** Writes certificates and config, starts the backends, the gateways and (if installed) HAProxy. */
    void start(Path ingressJar, Path egressJar, Path benchJar, Optional<Path> haproxy) throws Exception {
        Path certs = directory.resolve("certs");
        red.ingressFor(green).writeIstioFiles(certs.resolve("red-ingress"));
        green.egressFor(red).writeIstioFiles(certs.resolve("green-egress"));
        backendSvid.writeIstioFiles(certs.resolve("backend"));
        Files.writeString(certs.resolve("green-root.pem"), green.ca().rootCertificatePem());
        String clientId = green.egressId(red).toString();

        GatewayProcess services = start("services", GatewayProcess.java(BackendMain.class.getName(), benchJar.toString())
                .prefix(loadCore).leakDetection(false).jvmArgs(backendJvmArgs.toArray(String[]::new)).args("--plain", "--tls-identity", certs.resolve("backend").toString(),
                        "--client-id", clientId, "--client-root", certs.resolve("green-root.pem").toString()));
        GatewayProcess direct = start("direct-tls", GatewayProcess.java(BackendMain.class.getName(), benchJar.toString())
                .prefix(gatewayCore).leakDetection(false).jvmArgs(gatewayJvmArgs.toArray(String[]::new)).args(
                        "--tls-identity", certs.resolve("backend").toString(), "--client-id", clientId,
                        "--client-root", certs.resolve("green-root.pem").toString()));
        for (String name : List.of("sink", "echo", "tls-sink", "tls-echo")) {
            addresses.put(name, services.awaitListening(name, STARTUP));
        }
        addresses.put("direct-sink", direct.awaitListening("tls-sink", STARTUP));
        addresses.put("direct-echo", direct.awaitListening("tls-echo", STARTUP));

        Map<String, String> redFiles = new LinkedHashMap<>();
        PeerResources redForGreen = new PeerResources(red, green);
        for (String name : SERVICE_PORTS.keySet()) {
            redForGreen.export(NAMESPACE, name);
            ServiceSpec service = ServiceSpec.named(NAMESPACE, name).port("tcp", SERVICE_PORTS.get(name))
                    .endpoint(addresses.get(name));
            if (name.startsWith("tls-")) {
                service.tlsPassthrough();
            }
            redFiles.put("service-" + name + ".yaml", service.yaml());
        }
        redFiles.putAll(redForGreen.files());
        Path redConfig = ConfigDirectory.write(directory.resolve("config/red-mesh"), redFiles);
        GatewayProcess ingress = start("ingress", GatewayProcess.jar(ingressJar).prefix(gatewayCore).leakDetection(false)
                .jvmArgs(gatewayJvmArgs.toArray(String[]::new)).args(gatewayArgs(redConfig, red, red.ingressName(green),
                        certs.resolve("red-ingress"))));
        addresses.put("ingress", ingress.awaitListening("service", STARTUP));
        InetSocketAddress ingressDiscovery = ingress.awaitListening("discovery", STARTUP);

        PeerResources greenForRed = new PeerResources(green, red).peerAddresses("127.0.0.1")
                .peerServicePort(addresses.get("ingress").getPort()).peerDiscoveryPort(ingressDiscovery.getPort())
                .importFromPeer(NAMESPACE, "*");
        Path greenConfig = ConfigDirectory.write(directory.resolve("config/green-mesh"), greenForRed.files());
        GatewayProcess egress = start("egress", GatewayProcess.jar(egressJar).prefix(gatewayCore).leakDetection(false)
                .jvmArgs(gatewayJvmArgs.toArray(String[]::new)).args(gatewayArgs(greenConfig, green,
                        green.egressName(red), certs.resolve("green-egress"))));
        addresses.put("egress", egress.awaitListening("service", STARTUP));
        egress.awaitLog(Pattern.compile("services updated: peer=red-mesh services=4"), STARTUP);

        if (haproxy.isPresent()) {
            startHaproxy(haproxy.get(), certs);
        }
    }

    private List<String> gatewayArgs(Path config, Mesh mesh, String name, Path identity) {
        List<String> args = GatewayArguments.of(config, mesh.namespace(), name, identity);
        args.addAll(List.of("--bind", "127.0.0.1", "--service-port", "0", "--discovery-port", "0", "--admin-port", "0",
                "--idle-timeout", "1h", "--access-log", accessLog));
        return args;
    }

    /**
     * HAProxy as an operator would configure it for the same job: one thread, TLS 1.3 with the same cipher suite,
     * no session resumption; terminate mode verifies the client's chain to green's root (HAProxy 2.6 cannot match a
     * URI SAN, so the SPIFFE ID is not checked: it does less than fedgate); pass-through routes by SNI.
     */
    private void startHaproxy(Path haproxy, Path certs) throws Exception {
        Path pem = certs.resolve("haproxy-red-ingress.pem");
        IssuedCertificate ingressSvid = red.ingressFor(green);
        Files.writeString(pem, ingressSvid.certChainPem() + ingressSvid.privateKeyPemTraditional());
        int terminate = freePort();
        int passthrough = freePort();
        String config = String.join("\n",
                "global",
                "    nbthread 1",
                "    maxconn 9900", // two descriptors per proxied connection under the 20000 descriptor limit
                "    tune.ssl.cachesize 0",
                "    ssl-default-bind-options ssl-min-ver TLSv1.2 no-tls-tickets",
                "    ssl-default-bind-ciphersuites TLS_AES_128_GCM_SHA256",
                "defaults",
                "    mode tcp",
                "    timeout connect 5s",
                "    timeout client 1h",
                "    timeout server 1h",
                "frontend terminate",
                "    bind 127.0.0.1:" + terminate + " ssl crt " + pem + " ca-file " + certs.resolve("green-root.pem")
                        + " verify required",
                "    use_backend sink if { ssl_fc_sni -m beg sink. }",
                "    default_backend echo",
                "frontend passthrough",
                "    bind 127.0.0.1:" + passthrough,
                "    tcp-request inspect-delay 5s",
                "    tcp-request content accept if { req_ssl_hello_type 1 }",
                "    use_backend tls-sink if { req_ssl_sni -m beg tls-sink. }",
                "    default_backend tls-echo",
                backend("sink"), backend("echo"), backend("tls-sink"), backend("tls-echo"), "");
        Path file = Files.writeString(directory.resolve("haproxy.cfg"), config);
        List<String> command = new ArrayList<>(List.of(gatewayCore));
        command.addAll(List.of(haproxy.toString(), "-db", "-f", file.toString()));
        start("haproxy", GatewayProcess.program("haproxy", command));
        addresses.put("haproxy-terminate", new InetSocketAddress("127.0.0.1", terminate));
        addresses.put("haproxy-passthrough", new InetSocketAddress("127.0.0.1", passthrough));
        awaitPort(addresses.get("haproxy-terminate"), processes.get("haproxy"));
        awaitPort(addresses.get("haproxy-passthrough"), processes.get("haproxy"));
    }

    private String backend(String name) {
        InetSocketAddress address = addresses.get(name);
        return "backend " + name + "\n    server " + name + " " + address.getHostString() + ":" + address.getPort();
    }

    /** The scenarios this topology offers, in the order of the results table. */
    List<Scenario> scenarios() {
        SslContext toBackend = peerEgressContext(PeerAuthorizer.exactly(SpiffeId.parse(backendId())));
        SslContext toIngress = peerEgressContext(PeerAuthorizer.exactly(red.ingressId(green)));
        SslContext workload = track(SslContexts.forClient(GatewayIdentity.of(workloadSvid.chain(),
                        workloadSvid.privateKey(), List.of(workloadSvid.root())),
                TrustBundles.builder().add(green.trustDomain(), green.ca().root()).build(),
                PeerAuthorizer.exactly(green.egressId(red)), TlsProvider.preferred()));
        List<Scenario> scenarios = new ArrayList<>();
        scenarios.add(new Scenario("direct", "direct TLS (no gateway)", List.of(processes.get("direct-tls")),
                tls("direct-sink", toBackend, "sink.bench"), tls("direct-echo", toBackend, "echo.bench")));
        scenarios.add(new Scenario("ingress", "fedgate ingress, terminate", List.of(processes.get("ingress")),
                tls("ingress", toIngress, exported("sink")), tls("ingress", toIngress, exported("echo"))));
        scenarios.add(new Scenario("egress+ingress", "fedgate egress -> ingress",
                List.of(processes.get("egress"), processes.get("ingress")),
                tls("egress", workload, imported("sink")), tls("egress", workload, imported("echo"))));
        scenarios.add(new Scenario("passthrough", "fedgate ingress, pass-through", List.of(processes.get("ingress")),
                tls("ingress", toBackend, exported("tls-sink")), tls("ingress", toBackend, exported("tls-echo"))));
        if (processes.containsKey("haproxy")) {
            scenarios.add(new Scenario("haproxy", "HAProxy, terminate", List.of(processes.get("haproxy")),
                    tls("haproxy-terminate", toIngress, "sink.bench"), tls("haproxy-terminate", toIngress, "echo.bench")));
            scenarios.add(new Scenario("haproxy-passthrough", "HAProxy, pass-through", List.of(processes.get("haproxy")),
                    tls("haproxy-passthrough", toBackend, "tls-sink.bench"),
                    tls("haproxy-passthrough", toBackend, "tls-echo.bench")));
        }
        return scenarios;
    }

    private String backendId() {
        return red.id("backend").toString();
    }

    private SslContext peerEgressContext(PeerAuthorizer server) {
        return track(SslContexts.forClient(green.egressIdentity(red), TrustBundles.builder()
                .add(red.trustDomain(), red.ca().root()).add(green.trustDomain(), green.ca().root()).build(),
                server, TlsProvider.preferred()));
    }

    private SslContext track(SslContext context) {
        contexts.add(context);
        return context;
    }

    private LoadClient.Target tls(String address, SslContext context, String serverName) {
        return new LoadClient.Target(addresses.get(address), context, serverName);
    }

    /** The name green's egress sends to red's ingress: Istio's form of the host red exports to green. */
    private static String exported(String service) {
        return SniName.outbound(SERVICE_PORTS.get(service), service + "." + NAMESPACE + ".svc.green-mesh-exports.local");
    }

    /** The name a green workload sends to its egress: Istio's form of the import. */
    private static String imported(String service) {
        return SniName.outbound(SERVICE_PORTS.get(service), service + "." + NAMESPACE + ".svc.red-mesh-imports.local");
    }

    private GatewayProcess start(String name, GatewayProcess.Builder builder) {
        GatewayProcess process = builder.name(name).logDirectory(directory.resolve("logs")).start();
        processes.put(name, process);
        return process;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static void awaitPort(InetSocketAddress address, GatewayProcess process) throws InterruptedException {
        long deadline = System.nanoTime() + STARTUP.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(process.name() + " exited: " + process.logTail(20));
            }
            try (Socket socket = new Socket()) {
                socket.connect(address, 200);
                return;
            } catch (IOException notYet) {
                Thread.sleep(50);
            }
        }
        throw new IllegalStateException(process.name() + " does not listen on " + address);
    }

    @Override
    public void close() {
        processes.values().forEach(GatewayProcess::close);
        contexts.forEach(ReferenceCountUtil::release);
    }
}
