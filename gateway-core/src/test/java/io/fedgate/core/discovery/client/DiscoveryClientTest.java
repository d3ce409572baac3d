package io.fedgate.core.discovery.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.fedgate.core.config.ConfigFixtures;
import io.fedgate.core.config.FederationConfig;
import io.fedgate.core.config.PeerConfig;
import io.fedgate.core.discovery.DiscoveryChecksum;
import io.fedgate.core.discovery.DiscoveryHttpHandler;
import io.fedgate.core.discovery.DiscoveryJson;
import io.fedgate.core.discovery.DiscoveryServer;
import io.fedgate.core.discovery.ServiceListMessage;
import io.fedgate.core.discovery.ServiceMessage;
import io.fedgate.core.discovery.ServicePortMessage;
import io.fedgate.core.discovery.WatchEvent;
import io.fedgate.core.testing.FederationPki;
import io.fedgate.core.tls.SslContexts;
import io.fedgate.core.tls.TlsProvider;
import io.fedgate.core.transport.Transport;
import io.fedgate.core.trust.PeerAuthorizer;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.ssl.SslContext;

/** The discovery client against a real discovery server (or a scripted one) over loopback mTLS. */
class DiscoveryClientTest {
    private static final String PEER = "green-mesh";
    private static final String ACCOUNT = "spiffe://green-mesh.local/ns/green-mesh-system/sa/ingress-red-mesh-service-account";
    private static final String RATINGS = "- type: NameSelector\n  nameSelector:\n    namespace: bookinfo\n"
            + "    name: ratings\n";
    private static final String DETAILS = "- type: NameSelector\n  nameSelector:\n    namespace: bookinfo\n"
            + "    name: details\n";

    private static final FederationPki PKI = FederationPki.create();
    private static final SslContext SERVER_CONTEXT = serverContext(PKI);
    private static final SslContext CLIENT_CONTEXT = PKI.red().egressClientContext(PKI.green());
    private static final EventLoopGroup SERVER_GROUP = Transport.NIO.newEventLoopGroup(1, "peer-discovery");
    private static final EventLoopGroup CLIENT_GROUP = Transport.NIO.newEventLoopGroup(1, "discovery-client");

    private final List<PeerDiscoveryHarness.Request> requests = PeerDiscoveryHarness.newLog();
    private final List<ServiceListMessage> delivered = new CopyOnWriteArrayList<>();
    private PeerDiscoveryHarness harness;
    private DiscoveryClient client;
    private DiscoveryServer server;

    @AfterEach
    void tearDown() {
        if (client != null) {
            client.close();
        }
        if (harness != null) {
            harness.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @AfterAll
    static void shutDown() {
        CLIENT_GROUP.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        SERVER_GROUP.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private static SslContext serverContext(FederationPki pki) {
        return SslContexts.forServer(pki.green().ingressIdentity(pki.red()), PKI.bundles(),
                PeerAuthorizer.anyVerified(), TlsProvider.preferred());
    }

    // ---- Fixtures ----

    private static String service(String name, String ports) {
        return "apiVersion: v1\nkind: Service\nmetadata:\n  name: " + name + "\n  namespace: bookinfo\n"
                + "  labels: {app: " + name + "}\nspec:\n  ports:\n" + ConfigFixtures.indent(ports, "  ");
    }

    /** The green peer, the bookinfo services and green's export rules. */
    private static FederationConfig exporting(String rules) {
        Map<String, String> files = ConfigFixtures.with(ConfigFixtures.validGreen(), "services/bookinfo.yaml",
                service("ratings", "- name: http\n  port: 9080\n") + "---\n"
                        + service("details", "- name: http\n  port: 9080\n- name: tcp-extra\n  port: 9443\n"));
        return ConfigFixtures.load(ConfigFixtures.with(files, "exports/green.yaml",
                "apiVersion: federation.maistra.io/v1\nkind: ExportedServiceSet\nmetadata:\n  name: " + PEER
                        + "\n  namespace: " + ConfigFixtures.NAMESPACE + "\nspec:\n  exportRules:\n"
                        + ConfigFixtures.indent(rules, "  ")));
    }

    private static PeerConfig peer(int port, String... addresses) {
        return PeerDiscoveryHarness.peer(PEER, port, addresses);
    }

    private PeerDiscoveryHarness serveReal(int port) {
        return PeerDiscoveryHarness.start(SERVER_GROUP, SERVER_CONTEXT, port, PEER,
                () -> new DiscoveryHttpHandler(server), requests);
    }

    private PeerDiscoveryHarness serveStub(PeerDiscoveryHarness.Stub stub, SslContext context) {
        return PeerDiscoveryHarness.start(SERVER_GROUP, context, 0, PEER, stub::handler, requests);
    }

    private DiscoveryClient client(PeerConfig peer) {
        return PeerDiscoveryHarness.client(peer, CLIENT_CONTEXT, CLIENT_GROUP).listener(delivered::add).build();
    }

    private static void await(String what, BooleanSupplier condition) {
        PeerDiscoveryHarness.await(what, condition);
    }

    private ServiceListMessage served() {
        return server.serviceList(PEER).orElseThrow();
    }

    // ---- Tests ----

    @Test
    void initialFullSyncDeliversTheListWithTheReferenceHeaders() {
        server = DiscoveryServer.builder().serviceAccounts(List.of(ACCOUNT)).build(exporting(RATINGS));
        harness = serveReal(0);
        PeerConfig peer = peer(harness.port(), "127.0.0.1");
        client = client(peer).start();

        await("the first full sync", () -> client.current().isPresent());

        assertThat(client.current()).contains(served());
        assertThat(served().services()).extracting(ServiceMessage::name).containsExactly("ratings");
        assertThat(delivered).containsExactly(served());
        WatchStatus status = client.status();
        assertThat(status.connected()).isTrue();
        assertThat(status.lastConnected()).isPresent();
        assertThat(status.lastFullSync()).isPresent();
        assertThat(status.lastDisconnect()).isEmpty();
        assertThat(status.lastErrorReason()).isEmpty();
        assertThat(status.address()).contains("127.0.0.1:" + harness.port());
        assertThat(requests).extracting(PeerDiscoveryHarness.Request::uri)
                .containsExactly("/v1/watch", "/v1/services/");
        String host = "discovery.red-mesh-system.svc.green-mesh.local";
        assertThat(requests).allSatisfy(request -> {
            assertThat(request.host()).isEqualTo(host);
            assertThat(request.discoveryService()).isEqualTo(host);
            assertThat(request.remote()).isEqualTo(DiscoveryChecksum.format(DiscoveryChecksum.remote(peer)));
        });
    }

    @Test
    void anAddedExportArrivesAsAWatchEvent() {
        server = DiscoveryServer.builder().serviceAccounts(List.of(ACCOUNT)).build(exporting(RATINGS));
        harness = serveReal(0);
        client = client(peer(harness.port(), "127.0.0.1")).start();
        await("the first full sync", () -> client.current().isPresent());

        server.update(exporting(RATINGS + DETAILS));

        await("the added service", () -> client.current().orElseThrow().services().size() == 2);
        assertThat(client.current()).contains(served());
        assertThat(delivered).last().isEqualTo(served());
        assertThat(client.status().lastEvent()).isPresent();
        assertThat(harness.count("/v1/services/")).as("applied from the event, no resync").isEqualTo(1);
    }

    @Test
    void aWrongChecksumOrABareUpdateTriggersAFullResync() {
        PeerDiscoveryHarness.Stub stub = new PeerDiscoveryHarness.Stub();
        harness = serveStub(stub, SERVER_CONTEXT);
        client = client(peer(harness.port(), "127.0.0.1")).start();
        await("the first full sync", () -> client.current().isPresent() && stub.watching());
        ServiceMessage ratings = new ServiceMessage("ratings", "bookinfo", "ratings.bookinfo.svc.green-mesh-exports.local",
                List.of(new ServicePortMessage("http", 9080, "HTTP")), List.of(ACCOUNT));
        ServiceListMessage withRatings = ServiceListMessage.of(List.of(ratings));

        // A correct event, split across chunks, is applied without a resync.
        String line = DiscoveryJson.toJson(WatchEvent.add(ratings, withRatings.checksum())) + "\r\n";
        stub.chunk(line.substring(0, 17));
        stub.chunk(line.substring(17));
        await("the applied event", () -> client.current().orElseThrow().equals(withRatings));
        assertThat(harness.count("/v1/services/")).isEqualTo(1);

        // A wrong checksum (two events joined in one chunk, the second one wrong) makes it fetch the list again.
        stub.chunk(DiscoveryJson.toJson(WatchEvent.delete(ratings, ServiceListMessage.EMPTY.checksum())) + "\r\n"
                + DiscoveryJson.toJson(WatchEvent.add(ratings, 42)) + "\r\n");
        await("a resync", () -> harness.count("/v1/services/") == 2);
        await("the served list", () -> client.current().orElseThrow().equals(ServiceListMessage.EMPTY));

        stub.chunk("{\"action\":\"update\"}\r\n");
        await("a resync on a bare update", () -> harness.count("/v1/services/") == 3);
        assertThat(client.status().connected()).isTrue();
    }

    @Test
    void aRefusedWatchIsRecordedAndRetriedWithGrowingDelays() {
        PeerDiscoveryHarness.Stub stub = new PeerDiscoveryHarness.Stub();
        stub.status = HttpResponseStatus.SERVICE_UNAVAILABLE;
        harness = serveStub(stub, SERVER_CONTEXT);
        client = client(peer(harness.port(), "127.0.0.1")).start();

        await("three attempts", () -> harness.count("/v1/watch") >= 3);

        WatchStatus status = client.status();
        assertThat(status.connected()).isFalse();
        assertThat(status.lastDisconnectStatus()).contains("503 Service Unavailable");
        assertThat(status.lastConnected()).as("set when a watch is attempted").isPresent();
        assertThat(status.lastDisconnect()).as("never connected").isEmpty();
        assertThat(harness.count("/v1/services/")).isZero();
        List<PeerDiscoveryHarness.Request> watches = requests.stream()
                .filter(request -> request.uri().equals("/v1/watch")).toList();
        long first = watches.get(1).nanoTime() - watches.get(0).nanoTime();
        long second = watches.get(2).nanoTime() - watches.get(1).nanoTime();
        assertThat(first).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(80));
        assertThat(second).isGreaterThan(first);
    }

    @Test
    void aDeadFirstAddressIsSkipped() {
        server = DiscoveryServer.builder().serviceAccounts(List.of(ACCOUNT)).build(exporting(RATINGS));
        harness = serveReal(0);
        // 127.0.0.2 is loopback too, but nothing listens there on this port.
        client = client(peer(harness.port(), "127.0.0.2", "127.0.0.1")).start();

        await("the full sync from the second address", () -> client.current().isPresent());

        assertThat(client.current()).contains(served());
        assertThat(client.status().address()).contains("127.0.0.1:" + harness.port());
        assertThat(client.status().lastDisconnectStatus()).hasValueSatisfying(text ->
                assertThat(text).containsIgnoringCase("refused"));
    }

    @Test
    void reconnectsAfterTheServerComesBack() {
        server = DiscoveryServer.builder().serviceAccounts(List.of(ACCOUNT)).build(exporting(RATINGS));
        harness = serveReal(0);
        int port = harness.port();
        client = client(peer(port, "127.0.0.1")).start();
        await("the first full sync", () -> client.status().lastFullSync().isPresent());
        var firstSync = client.status().lastFullSync().orElseThrow();

        harness.close();
        await("the disconnect", () -> !client.status().connected());
        WatchStatus down = client.status();
        assertThat(down.lastDisconnect()).isPresent();
        assertThat(down.lastDisconnectStatus()).contains(DiscoveryClient.STREAM_ENDED);

        harness = serveReal(port);
        await("the reconnect", () -> client.status().connected()
                && client.status().lastFullSync().orElseThrow().isAfter(firstSync));
        assertThat(client.current()).contains(served());
        assertThat(harness.count("/v1/watch")).as("one watch per server run").isEqualTo(2);
    }

    @Test
    void aServerChainingToAnotherRootIsRefusedWithTheReason() {
        FederationPki stranger = FederationPki.create();
        harness = serveStub(new PeerDiscoveryHarness.Stub(), serverContext(stranger));
        client = client(peer(harness.port(), "127.0.0.1")).start();

        await("the refusal", () -> client.status().lastErrorReason().isPresent());

        WatchStatus status = client.status();
        assertThat(status.connected()).isFalse();
        assertThat(status.lastErrorReason()).contains("untrusted-chain");
        assertThat(status.lastDisconnectStatus()).hasValueSatisfying(text ->
                assertThat(text).startsWith("untrusted-chain: "));
        assertThat(client.current()).isEmpty();
    }
}
