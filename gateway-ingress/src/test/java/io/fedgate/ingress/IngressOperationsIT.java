package io.fedgate.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.handler.ssl.SslContext;

import io.fedgate.core.demo.GatewayProcess;
import io.fedgate.core.demo.Mesh;
import io.fedgate.core.demo.PeerResources;
import io.fedgate.core.demo.ServiceSpec;
import io.fedgate.core.listener.UpstreamProxyHeader;
import io.fedgate.core.probe.ConnectionReport;
import io.fedgate.core.probe.DigestingBackend;
import io.fedgate.core.probe.Ending;
import io.fedgate.core.probe.TrafficClient;
import io.fedgate.core.routing.SniName;
import io.fedgate.core.testing.FederationFixture;
import io.fedgate.core.testing.FederationPki;
import io.fedgate.core.tls.SslContexts;
import io.fedgate.core.tls.TlsProvider;
import io.fedgate.core.trust.PeerAuthorizer;

/**
 * What an operator relies on, checked on the ingress as its own process: metrics and the access log follow the
 * traffic byte for byte, SIGTERM drains (readiness 503, no new connections, the one in flight finishes, exit 0),
 * {@code --max-connections} holds, each listener keeps its own room and a peer workload's half requests are cut off
 * (issue 11's pinning attack), a PROXY protocol v2 header sets the source the access log shows, and a watched
 * config change adds a peer while a live connection continues, while an invalid one is refused and the old config
 * keeps serving.
 */
class IngressOperationsIT {
    private static final String EXPORTED = "ratings.bookinfo.svc.green-mesh-exports.local";
    private static final String SNI = SniName.outbound(9080, EXPORTED);
    private static final Duration STARTUP = Duration.ofSeconds(30);
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    private FederationFixture federation;
    private FederationFixture.MeshConfig redConfig;
    private DigestingBackend ratings;
    private GatewayProcess ingress;
    private TrafficClient client;
    private Path accessLog;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeEach
    void setUp() {
        federation = FederationFixture.create(dir);
        ratings = DigestingBackend.echo();
        redConfig = federation.redConfig()
                .service(ServiceSpec.named("bookinfo", "ratings").port("http", 9080).endpoint(ratings.address()))
                .export("bookinfo", "ratings");
        redConfig.write();
        accessLog = dir.resolve("access.log");
        client = TrafficClient.create();
    }

    private void startIngress(String... extraArgs) {
        FederationPki pki = federation.pki();
        List<String> args = new ArrayList<>(federation.ingress(pki.red(), pki.green()).args(redConfig));
        args.addAll(List.of("--access-log", accessLog.toString(), "--drain-timeout", "20s"));
        args.addAll(List.of(extraArgs));
        ingress = GatewayProcess.jar(GatewayProcess.ingressJar()).name("ingress-green-mesh").logDirectory(dir)
                .args(args).start();
        ingress.awaitReady(STARTUP); // from then on, file changes are watched
    }

    @AfterEach
    void stop() {
        if (client != null) {
            client.close();
        }
        if (ingress != null) {
            ingress.close();
            ItLogs.keep(ingress, IngressOperationsIT.class);
        }
        if (ratings != null) {
            ratings.close();
        }
    }

    private SslContext greenEgress() {
        return federation.pki().green().egressClientContext(federation.pki().red());
    }

    private TrafficClient.Request echo(long bytes) {
        return client.to(ingress.awaitListening("service", STARTUP)).tls(greenEgress(), SNI).send(bytes, bytes)
                .timeout(Duration.ofSeconds(60));
    }

    private static void assertIntactEcho(ConnectionReport report, long bytes) {
        assertThat(report.ending()).as("%s", report).isEqualTo(Ending.EOF);
        assertThat(report.bytesSent()).isEqualTo(bytes);
        assertThat(report.bytesReceived()).as("echoed bytes").isEqualTo(bytes);
        assertThat(report.sha256Received()).as("SHA-256 of the echo").isEqualTo(report.sha256Sent());
    }

    @Test
    void metricsAndTheAccessLogFollowTheTrafficAndRefusalsAreCountedByReason() throws Exception {
        startIngress();
        long size = 3L << 20;
        assertIntactEcho(echo(size).run(), size);
        // A client of the wrong mesh: refused in the handshake.
        Mesh blue = Mesh.create("blue-mesh");
        ConnectionReport refused = client.to(ingress.awaitListening("service", STARTUP))
                .tls(blue.egressClientContext(federation.pki().red(), PeerAuthorizer.anyVerified()), SNI)
                .send(10, 1).run();
        assertThat(refused.bytesReceived()).isZero();

        String received = "istio_tcp_received_bytes_total{destination_service=\"ratings.bookinfo.svc.cluster.local\","
                + "direction=\"inbound\",peer=\"green-mesh\"}";
        awaitMetric(received, value -> value == size);
        assertThat(metric(received.replace("received", "sent"))).as("bytes sent to the downstream").isEqualTo(size);
        assertThat(metric("istio_tcp_connections_closed_total{destination_service=\"ratings.bookinfo.svc.cluster.local\","
                + "direction=\"inbound\",peer=\"green-mesh\"}")).isEqualTo(1);
        assertThat(metric("fedgate_ingress_downstream_cx_refused_total{listener=\"service\",peer=\"green-mesh\","
                + "reason=\"untrusted_trust_domain\"}")).isEqualTo(1);
        assertThat(metric("fedgate_ingress_downstream_tls_handshake_seconds_count{listener=\"service\"}")).isEqualTo(1);
        awaitMetric("fedgate_ingress_downstream_cx_active{listener=\"service\"}", value -> value == 0);

        List<String> lines = awaitAccessLogLines(2);
        String relayed = lines.stream().filter(line -> line.contains("\"result\":\"relayed\"")).findFirst().orElseThrow();
        assertThat(relayed).contains("\"listener\":\"service\"", "\"requested_server_name\":\"" + SNI + "\"",
                "\"downstream_peer_uri_san\":\"" + federation.pki().green().egressId(federation.pki().red()) + "\"",
                "\"peer\":\"green-mesh\"", "\"upstream_host\":\"" + hostPort(ratings.address()) + "\"",
                "\"bytes_received\":" + size, "\"bytes_sent\":" + size);
        String refusedLine = lines.stream().filter(line -> line.contains("\"result\":\"refused\"")).findFirst().orElseThrow();
        assertThat(refusedLine).contains("\"reason\":\"untrusted-trust-domain\"", "\"bytes_received\":null");
    }

    @Test
    void sigtermDrainsTheConnectionInFlightThenExitsZero() throws Exception {
        startIngress();
        long size = 1L << 20;
        HeldEcho inFlight = holdHalfway(size);
        assertThat(admin("/healthz/ready").statusCode()).isEqualTo(200);

        ingress.sendSignal("TERM");
        HttpResponse<String> ready = awaitReadiness(503);
        assertThat(ready.body()).startsWith("DRAINING");
        // Readiness turns first (so that a balancer stops sending), then the listener closes.
        InetSocketAddress service = ingress.awaitListening("service", STARTUP);
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!connectRefused(service) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(connectRefused(service)).as("the service listener stopped accepting").isTrue();
        assertThat(ingress.isAlive()).as("waits for the connection in flight").isTrue();

        assertIntactEcho(inFlight.finish(), size);
        assertThat(ingress.awaitExit(WAIT)).as("exit status after a drain").isZero();
        assertThat(ingress.log()).contains("drained: every connection finished");
    }

    @Test
    void aSecondSigtermClosesTheConnectionsStillDraining() throws Exception {
        startIngress();
        long size = 1L << 20;
        HeldEcho inFlight = holdHalfway(size);

        ingress.sendSignal("TERM");
        awaitReadiness(503);
        ingress.sendSignal("TERM");
        assertThat(ingress.awaitExit(Duration.ofSeconds(10))).as("exit status after a forced stop").isZero();
        // The client writes the rest into a closed connection, and so learns it is gone.
        ConnectionReport cut = inFlight.finish();
        assertThat(cut.bytesReceived()).as("the connection was closed, not finished").isLessThan(size);
        assertThat(ingress.log()).contains("while draining: closing every connection now");
    }

    @Test
    void connectionsBeyondMaxConnectionsAreRefusedAndCounted() throws Exception {
        startIngress("--max-connections", "2"); // one kept for discovery, one for service traffic
        long size = 256 << 10;
        HeldEcho held = holdHalfway(size);

        ConnectionReport beyond = echo(1024).run();
        assertThat(beyond.bytesReceived()).isZero();
        assertThat(beyond.ending()).isIn(Ending.HANDSHAKE_FAILED, Ending.RESET, Ending.CLOSED, Ending.EOF);
        awaitMetric("fedgate_ingress_downstream_cx_refused_total{listener=\"service\",peer=\"unknown\","
                + "reason=\"max_connections\"}", value -> value == 1);

        assertIntactEcho(held.finish(), size);
        awaitMetric("fedgate_ingress_downstream_cx_active{listener=\"service\"}", value -> value == 0);
        assertIntactEcho(echo(1024).run(), 1024); // below the limit again
    }

    /**
     * Issue 11's pinning attack: a workload of the peer mesh (its certificate chains to the peer's root, but it is
     * not the peer's egress) opens discovery connections, sends half a request line and goes silent. Each is closed
     * within --request-timeout and logged as refused, those beyond discovery's share are refused at accept, and the
     * real peer's service traffic flows meanwhile.
     */
    @Test
    void halfRequestsFromAPeerWorkloadCannotPinDiscoveryNorLockOutServiceTraffic() throws Exception {
        startIngress("--max-connections", "40", "--max-discovery-connections", "8", "--request-timeout", "2s",
                "--idle-timeout", "5s");
        InetSocketAddress discovery = ingress.awaitListening("discovery", STARTUP);
        List<Duration> lifetimes;
        try (HeldConnections stalled = HeldConnections.open(discovery, peerWorkload(), 20, "GET /v1/servi")) {
            for (int i = 0; i < 5; i++) {
                assertIntactEcho(echo(64 << 10).run(), 64 << 10);
            }
            lifetimes = stalled.awaitAllClosed(Duration.ofSeconds(20));
        }
        assertThat(lifetimes).as("each stalled connection's lifetime")
                .allSatisfy(lifetime -> assertThat(lifetime).isLessThan(Duration.ofSeconds(8)));
        awaitMetric("fedgate_ingress_downstream_cx_refused_total{listener=\"discovery\",peer=\"green-mesh\","
                + "reason=\"request_timeout\"}", value -> value == 8);
        awaitMetric("fedgate_ingress_downstream_cx_refused_total{listener=\"discovery\",peer=\"unknown\","
                + "reason=\"max_connections\"}", value -> value == 12);
        List<String> timedOut = awaitAccessLogLines(5 + 8).stream()
                .filter(line -> line.contains("\"reason\":\"request-timeout\"")).toList();
        assertThat(timedOut).hasSize(8).allSatisfy(line -> assertThat(line)
                .contains("\"listener\":\"discovery\"", "\"result\":\"refused\""));
        assertThat(metric("fedgate_ingress_downstream_cx_refused_total{listener=\"service\",peer=\"unknown\","
                + "reason=\"max_connections\"}")).as("no service connection refused").isLessThanOrEqualTo(0);
    }

    /** A 403 to an identity that is not the peer's clientID never keeps the connection. */
    @Test
    void aForbiddenIdentityIsAnsweredOnceAndDisconnected() throws Exception {
        startIngress();
        InetSocketAddress discovery = ingress.awaitListening("discovery", STARTUP);
        String requests = "GET /v1/services/ HTTP/1.1\r\nHost: discovery\r\n\r\n".repeat(2);
        try (HeldConnections impostor = HeldConnections.open(discovery, peerWorkload(), 1, requests)) {
            impostor.awaitAllClosed(WAIT);
            String received = impostor.held().get(0).received();
            assertThat(received).startsWith("HTTP/1.1 403 Forbidden").contains("connection: close");
            assertThat(received.split("HTTP/1.1 ", -1)).as("one answer, then the close").hasSize(2);
        }
        assertThat(awaitAccessLogLines(1)).singleElement().asString()
                .contains("\"listener\":\"discovery\"", "\"result\":\"refused\"", "\"reason\":\"spiffe-id-mismatch\"");
    }

    /** Service connections filling their budget leave discovery and admin their own room. */
    @Test
    void aFloodOnTheServiceListenerLeavesDiscoveryAndAdminServing() throws Exception {
        startIngress("--max-connections", "12", "--max-discovery-connections", "4", "--max-admin-connections", "4");
        InetSocketAddress service = ingress.awaitListening("service", STARTUP);
        InetSocketAddress discovery = ingress.awaitListening("discovery", STARTUP);
        try (HeldConnections flood = HeldConnections.open(service, null, 12, "")) {
            awaitMetric("fedgate_ingress_downstream_cx_refused_total{listener=\"service\",peer=\"unknown\","
                    + "reason=\"max_connections\"}", value -> value == 4);
            try (DiscoveryTestClient peer = DiscoveryTestClient.tls(discovery, greenEgress())) {
                assertThat(peer.get("/v1/services/").status()).as("the peer's full sync during the flood")
                        .isEqualTo(200);
            }
            assertThat(admin("/healthz/ready").statusCode()).isEqualTo(200);
            assertThat(echo(1024).run().bytesReceived()).as("the service listener is full").isZero();
        }
        awaitMetric("fedgate_ingress_downstream_cx_active{listener=\"service\"}", value -> value == 0);
        assertIntactEcho(echo(1024).run(), 1024);
    }

    /** A workload of the peer mesh: chains to the peer's root, but is not the peer's egress. */
    private SslContext peerWorkload() {
        FederationPki pki = federation.pki();
        return SslContexts.forClient(pki.green().ingressIdentity(pki.red()), pki.bundles(), PeerAuthorizer.anyVerified(),
                TlsProvider.preferred());
    }

    @Test
    void aProxyProtocolHeaderSetsTheSourceTheAccessLogShows() throws Exception {
        startIngress("--proxy-protocol");
        InetSocketAddress realClient = new InetSocketAddress("203.0.113.7", 41000);
        ConnectionReport report = echo(4096).proxyProtocol(realClient).run();
        assertIntactEcho(report, 4096);
        // Without the header the connection is refused, with its reason.
        ConnectionReport bare = echo(16).run();
        assertThat(bare.bytesReceived()).isZero();

        List<String> lines = awaitAccessLogLines(2);
        assertThat(lines).anySatisfy(line -> assertThat(line)
                .contains("\"downstream_remote_address\":\"203.0.113.7:41000\"", "\"result\":\"relayed\""));
        assertThat(lines).anySatisfy(line -> assertThat(line)
                .contains("\"result\":\"refused\"", "\"reason\":\"bad-proxy-protocol\""));
    }

    @Test
    void anUpstreamThatAsksForItGetsAProxyHeaderWithTheCallersSpiffeId() throws Exception {
        try (ProxiedEchoBackend backend = new ProxiedEchoBackend()) {
            redConfig.service(ServiceSpec.named("bookinfo", "ratings").port("http", 9080).endpoint(backend.address())
                    .annotation("fedgate.io/upstream-proxy-protocol", "v2"));
            redConfig.write();
            startIngress();
            ConnectionReport report = echo(64 << 10).run();
            assertIntactEcho(report, 64 << 10);

            HAProxyMessage header = backend.headers.poll(10, TimeUnit.SECONDS);
            assertThat(header).as("the header the backend decoded").isNotNull();
            try {
                assertThat(header.sourceAddress()).isEqualTo(report.localAddress().getAddress().getHostAddress());
                assertThat(header.sourcePort()).isEqualTo(report.localAddress().getPort());
                assertThat(header.destinationPort()).isEqualTo(ingress.awaitListening("service", STARTUP).getPort());
                assertThat(tlv(header, UpstreamProxyHeader.SPIFFE_ID_TLV))
                        .isEqualTo(federation.pki().green().egressId(federation.pki().red()).toString());
                assertThat(tlv(header, UpstreamProxyHeader.AUTHORITY_TLV)).isEqualTo(SNI);
            } finally {
                header.release();
            }
        }
    }

    private static String tlv(HAProxyMessage header, byte type) {
        return header.tlvs().stream().filter(tlv -> tlv.typeByteValue() == type).findFirst()
                .map(tlv -> tlv.content().toString(StandardCharsets.UTF_8)).orElse(null);
    }

    /** An echo server behind a PROXY protocol decoder, keeping each header it decoded. */
    private static final class ProxiedEchoBackend implements AutoCloseable {
        final BlockingQueue<HAProxyMessage> headers = new LinkedBlockingQueue<>();
        private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        private final Channel server;

        ProxiedEchoBackend() {
            server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                    .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel channel) {
                            channel.pipeline().addLast(new HAProxyMessageDecoder(), new ChannelInboundHandlerAdapter() {
                                @Override
                                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                    if (msg instanceof HAProxyMessage) {
                                        headers.add((HAProxyMessage) msg);
                                    } else {
                                        ctx.writeAndFlush(msg);
                                    }
                                }

                                @Override
                                public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                                    if (evt instanceof ChannelInputShutdownEvent) {
                                        ((SocketChannel) ctx.channel()).shutdownOutput();
                                    }
                                }
                            });
                        }
                    }).bind("127.0.0.1", 0).syncUninterruptibly().channel();
        }

        InetSocketAddress address() {
            return (InetSocketAddress) server.localAddress();
        }

        @Override
        public void close() {
            server.close().syncUninterruptibly();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
            headers.forEach(HAProxyMessage::release);
        }
    }

    @Test
    void aWatchedConfigChangeAddsAPeerWhileALiveConnectionContinues() throws Exception {
        startIngress();
        long size = 1L << 20;
        HeldEcho live = holdHalfway(size);

        // blue-mesh federates with red too, through this same ingress gateway.
        Mesh red = federation.pki().red();
        Mesh blue = Mesh.create("blue-mesh");
        PeerResources redForBlue = new PeerResources(red, blue)
                .gatewayNames(red.ingressName(federation.pki().green()), red.egressName(blue))
                .export("bookinfo", "ratings");
        redForBlue.files().forEach((name, yaml) -> write(redConfig.directory().resolve(name), yaml));
        ingress.awaitLog(Pattern.compile("reloaded: peers=\\[green-mesh, blue-mesh\\]|reloaded: peers=\\[blue-mesh, green-mesh\\]"), WAIT);

        SslContext blueEgress = blue.egressClientContext(red, PeerAuthorizer.exactly(red.ingressId(federation.pki().green())));
        ConnectionReport fromBlue = client.to(ingress.awaitListening("service", STARTUP))
                .tls(blueEgress, SniName.outbound(9080, "ratings.bookinfo.svc.blue-mesh-exports.local"))
                .send(4096, 7).run();
        assertIntactEcho(fromBlue, 4096);

        assertIntactEcho(live.finish(), size);
        assertThat(metric("fedgate_ingress_config_reloads_total{result=\"applied\"}")).isGreaterThanOrEqualTo(1);
    }

    @Test
    void anInvalidConfigChangeIsRefusedAndTheRunningConfigKeepsServing() throws Exception {
        startIngress();
        write(redConfig.directory().resolve("broken.yaml"), """
                apiVersion: federation.maistra.io/v1
                kind: ServiceMeshPeer
                metadata:
                  name: broken
                  namespace: red-mesh-system
                spec:
                  remote:
                    addresses:
                    - broken.example.com
                    servicePort: 70000
                """);
        ingress.awaitLog(Pattern.compile("reload refused, keeping the running config"), WAIT);
        HttpResponse<String> ready = admin("/healthz/ready");
        assertThat(ready.statusCode()).as("still serving its running config").isEqualTo(200);
        assertThat(ready.body()).startsWith("LIVE").contains("last reload refused", "broken.yaml", "spec.remote.servicePort");
        assertThat(metric("fedgate_ingress_config_reloads_total{result=\"refused\"}")).isEqualTo(1);
        assertIntactEcho(echo(64 << 10).run(), 64 << 10);

        Files.delete(redConfig.directory().resolve("broken.yaml"));
        ingress.awaitLog(Pattern.compile("reloaded: peers=\\[green-mesh\\]"), WAIT);
        assertThat(admin("/healthz/ready").body()).isEqualTo("LIVE\n");
    }

    // ---- helpers ---------------------------------------------------------------------------------------------------

    /** An echo connection held in flight: half its bytes sent, the rest waiting for {@link #finish}. */
    private record HeldEcho(CompletableFuture<Void> resume, CompletableFuture<ConnectionReport> report) {
        /** Sends the rest and returns the connection's report once it has closed. */
        ConnectionReport finish() throws Exception {
            resume.complete(null);
            return report.get(60, TimeUnit.SECONDS);
        }
    }

    /** Starts an echo of {@code size} bytes and returns once half of them are written. */
    private HeldEcho holdHalfway(long size) throws Exception {
        CompletableFuture<Void> halfway = new CompletableFuture<>();
        CompletableFuture<Void> resume = new CompletableFuture<>();
        CompletableFuture<ConnectionReport> report = echo(size).pauseAfter(size / 2, halfway, resume).start();
        halfway.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        return new HeldEcho(resume, report);
    }

    private HttpResponse<String> admin(String path) throws IOException, InterruptedException {
        InetSocketAddress address = ingress.awaitListening("admin", STARTUP);
        return http.send(HttpRequest.newBuilder(URI.create("http://" + hostPort(address) + path))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> awaitReadiness(int status) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        HttpResponse<String> response = admin("/healthz/ready");
        while (response.statusCode() != status && System.nanoTime() < deadline) {
            Thread.sleep(50);
            response = admin("/healthz/ready");
        }
        assertThat(response.statusCode()).as("readiness: %s", response.body()).isEqualTo(status);
        return response;
    }

    /** A metric's value, or -1 if it is not there. */
    private double metric(String series) throws Exception {
        String page = admin("/stats/prometheus").body();
        Matcher matcher = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(page);
        return matcher.find() ? Double.parseDouble(matcher.group(1)) : -1;
    }

    private void awaitMetric(String series, Predicate<Double> expected) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        double value = metric(series);
        while (!expected.test(value) && System.nanoTime() < deadline) {
            Thread.sleep(50);
            value = metric(series);
        }
        if (!expected.test(value)) {
            throw new AssertionError(series + " = " + value + " in:\n" + admin("/stats/prometheus").body());
        }
    }

    private List<String> awaitAccessLogLines(int count) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        List<String> lines = List.of();
        while (System.nanoTime() < deadline) {
            lines = Files.exists(accessLog) ? Files.readAllLines(accessLog, StandardCharsets.UTF_8) : List.of();
            if (lines.size() >= count) {
                return lines;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("access log has " + lines.size() + " line(s), expected " + count + ": " + lines);
    }

    private static boolean connectRefused(InetSocketAddress address) {
        try (Socket socket = new Socket()) {
            socket.connect(address, 2_000);
            return false;
        } catch (ConnectException e) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static void write(Path file, String text) {
        try {
            Files.writeString(file, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String hostPort(InetSocketAddress address) {
        return address.getAddress().getHostAddress() + ":" + address.getPort();
    }
}
