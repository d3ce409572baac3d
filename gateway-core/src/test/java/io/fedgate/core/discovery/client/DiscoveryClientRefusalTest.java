package io.fedgate.core.discovery.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.fedgate.core.discovery.DiscoveryJson;
import io.fedgate.core.discovery.ServiceListMessage;
import io.fedgate.core.discovery.ServiceMessage;
import io.fedgate.core.discovery.ServicePortMessage;
import io.fedgate.core.gateway.GatewayRole;
import io.fedgate.core.metrics.GatewayMetrics;
import io.fedgate.core.status.GatewayStatus;
import io.fedgate.core.status.PeerStatus;
import io.fedgate.core.status.PeerStatusView;
import io.fedgate.core.testing.FederationPki;
import io.fedgate.core.testing.LogCapture;
import io.fedgate.core.tls.SslContexts;
import io.fedgate.core.tls.TlsProvider;
import io.fedgate.core.transport.Transport;
import io.fedgate.core.trust.PeerAuthorizer;
import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.ssl.SslContext;

/**
 * A hostile or broken peer's discovery server, over loopback mTLS: every answer the client must refuse is never
 * applied, is logged once per cause, counted by cause, shown in the status and in {@code fedgate status}'s cause,
 * and the client recovers once the server answers well again.
 */
class DiscoveryClientRefusalTest {
    private static final String PEER = "green-mesh";
    private static final String REFUSED = "fedgate.egress.discovery.data.refused";
    private static final ServiceListMessage GOOD = ServiceListMessage.of(List.of(new ServiceMessage("ratings",
            "bookinfo", "ratings.bookinfo.svc.green-mesh-exports.local",
            List.of(new ServicePortMessage("http", 9080, "HTTP")),
            List.of("spiffe://green-mesh.local/ns/green-mesh-system/sa/ingress-red-mesh-service-account"))));

    private static final FederationPki PKI = FederationPki.create();
    private static final SslContext SERVER_CONTEXT = SslContexts.forServer(PKI.green().ingressIdentity(PKI.red()),
            PKI.bundles(), PeerAuthorizer.anyVerified(), TlsProvider.preferred());
    private static final SslContext CLIENT_CONTEXT = PKI.red().egressClientContext(PKI.green());
    private static final EventLoopGroup SERVER_GROUP = Transport.NIO.newEventLoopGroup(1, "hostile-discovery");
    private static final EventLoopGroup CLIENT_GROUP = Transport.NIO.newEventLoopGroup(1, "discovery-client");

    private final PrometheusMeterRegistry registry = GatewayMetrics.newPrometheusRegistry();
    private final GatewayMetrics metrics = new GatewayMetrics(registry, GatewayRole.EGRESS);
    private final List<ServiceListMessage> delivered = new CopyOnWriteArrayList<>();
    private LogCapture log;
    private final PeerDiscoveryHarness.Stub stub = new PeerDiscoveryHarness.Stub();
    private PeerDiscoveryHarness harness;
    private DiscoveryClient client;

    @BeforeEach
    void serve() {
        log = LogCapture.of(DiscoveryClient.class.getName());
        stub.listJson = DiscoveryJson.toJson(GOOD);
        harness = PeerDiscoveryHarness.start(SERVER_GROUP, SERVER_CONTEXT, 0, PEER, stub::handler,
                PeerDiscoveryHarness.newLog());
    }

    @AfterEach
    void tearDown() {
        if (client != null) {
            client.close();
        }
        harness.close();
        log.close();
    }

    @AfterAll
    static void shutDown() {
        CLIENT_GROUP.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        SERVER_GROUP.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private void startClient() {
        client = PeerDiscoveryHarness.client(PeerDiscoveryHarness.peer(PEER, harness.port(), "127.0.0.1"),
                        CLIENT_CONTEXT, CLIENT_GROUP)
                .listener(delivered::add)
                .resyncs(cause -> metrics.discoveryResync(PEER, cause))
                .refusals(cause -> metrics.discoveryDataRefused(PEER, cause))
                .build()
                .start();
    }

    private void startConnected() {
        startClient();
        PeerDiscoveryHarness.await("the first list", () -> client.status().connected() && !delivered.isEmpty()
                && stub.watching());
        assertThat(delivered).containsExactly(GOOD);
    }

    private double count(String name, String cause) {
        Counter counter = registry.find(name).tags("peer", PEER, "cause", cause.replace('-', '_')).counter();
        return counter == null ? 0 : counter.count();
    }

    /**
     * Waits for {@code atLeast} refusals of {@code cause}, then checks every place that must show them: no other
     * cause counted, one WARNING line however many there were, the status not connected and naming the refusal,
     * the merged view's cause, and nothing refused ever delivered.
     */
    private void assertRefused(String cause, String statusStart, int atLeast) {
        PeerDiscoveryHarness.await(atLeast + " refusals (" + cause + ")", () -> count(REFUSED, cause) >= atLeast);

        assertThat(registry.find(REFUSED).counters()).as("only %s counted", cause)
                .allSatisfy(counter -> assertThat(counter.getId().getTag("cause")).isEqualTo(cause.replace('-', '_')));
        assertThat(log.records()).filteredOn(record -> record.getLevel() == Level.WARNING
                        && record.getMessage().contains(WatchStatus.REFUSED_PREFIX))
                .as("one line per cause per interval").singleElement()
                .satisfies(record -> assertThat(record.getMessage()).startsWith(PEER + ": " + statusStart));
        WatchStatus status = client.status();
        assertThat(status.connected()).as("refused data is no healthy watch").isFalse();
        assertThat(status.lastDisconnectStatus()).hasValueSatisfying(text -> assertThat(text).startsWith(statusStart));
        PeerStatusView view = PeerStatusView.of(PEER, List.of(new GatewayStatus("egress-green-mesh", "egress",
                "egress-green-mesh", "red-mesh-system", List.of(new PeerStatus(PEER, List.of(), Optional.of(status),
                        Optional.empty())))));
        assertThat(view.connected()).isFalse();
        assertThat(view.yaml()).contains("# cause: the peer's discovery server sends data we refuse: "
                + statusStart.substring(WatchStatus.REFUSED_PREFIX.length()));
        assertThat(delivered).as("nothing refused is applied").allSatisfy(list -> assertThat(list).isEqualTo(GOOD));
    }

    private void assertRecovers() {
        int before = delivered.size();
        PeerDiscoveryHarness.await("the recovery", () -> client.status().connected() && delivered.size() > before);
        assertThat(client.current()).contains(GOOD);
        assertThat(client.status().lastFullSync()).isPresent();
        assertThat(delivered).last().isEqualTo(GOOD);
    }

    /** Starts against the hostile answer already set up, checks its refusals, then mends the server: recovery. */
    private void refusedUntilMended(String cause, String statusStart, int atLeast, Runnable mend) {
        startClient();
        assertRefused(cause, statusStart, atLeast);
        assertThat(client.current()).as("no list was ever accepted").isEmpty();
        mend.run();
        assertRecovers();
    }

    // ---- Full sync answers: each refusal ends the watch, which backs off and tries again ----

    @Test
    void aFiftyMegabyteServiceListIsRefusedAsTooLarge() {
        stub.listAnswer = PeerDiscoveryHarness.Stub.streamedList(50L << 20);
        refusedUntilMended(DiscoveryClient.TOO_LARGE,
                "refused discovery data: too-large: service list larger than 16777216 bytes", 2,
                () -> stub.listAnswer = null);
    }

    @Test
    void aMalformedServiceListIsRefusedAsUnreadable() {
        stub.listJson = "{\"checksum\":1,\"services\":[";
        refusedUntilMended(DiscoveryClient.UNREADABLE,
                "refused discovery data: unreadable: service list: malformed JSON: ", 2,
                () -> stub.listJson = DiscoveryJson.toJson(GOOD));
    }

    @Test
    void aSchemaInvalidServiceListIsRefused() {
        stub.listJson = "{\"checksum\":1,\"services\":[{\"name\":\"ratings\",\"namespace\":\"bookinfo\","
                + "\"hostname\":\"ratings.bookinfo.svc.green-mesh-exports.local\",\"servicePorts\":[{\"port\":0}]}]}";
        refusedUntilMended(DiscoveryClient.SCHEMA_INVALID, "refused discovery data: schema-invalid: service list: "
                + "services[0].servicePorts[0].port: 0 is not a port (1-65535)", 1,
                () -> stub.listJson = DiscoveryJson.toJson(GOOD));
    }

    @Test
    void aServiceListCutShortIsRefusedAsTruncated() {
        stub.listAnswer = PeerDiscoveryHarness.Stub.rawThenClose("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                + "Content-Length: 1000\r\n\r\n" + "{\"checksum\":1,\"services\":[" + " ".repeat(474));
        refusedUntilMended(DiscoveryClient.TRUNCATED,
                "refused discovery data: truncated: service list ended after 500 of 1000 bytes", 1,
                () -> stub.listAnswer = null);
    }

    // ---- Watch answers ----

    @Test
    void anEndlessHeaderIsRefusedAsTooLarge() {
        stub.watchAnswer = PeerDiscoveryHarness.Stub.endlessHeader();
        refusedUntilMended(DiscoveryClient.TOO_LARGE,
                "refused discovery data: too-large: watch response: HTTP header is larger than 8192 bytes.", 2, () -> {
                    assertThat(harness.count("/v1/services/")).as("no list asked of an unanswered watch").isZero();
                    stub.watchAnswer = null;
                });
    }

    @Test
    void aWatchAnswerThatIsNotHttpIsRefusedAsUnreadable() {
        stub.watchAnswer = PeerDiscoveryHarness.Stub.rawThenClose("HTTP/1.1 OK 200\r\n\r\n");
        refusedUntilMended(DiscoveryClient.UNREADABLE,
                "refused discovery data: unreadable: watch response: For input string: \"OK\"", 2,
                () -> stub.watchAnswer = null);
    }

    // ---- Watch lines: the list is held while the status is checked, so that recovery cannot race it ----

    @Test
    void aWatchLineOverOneMebibyteIsRefusedAsTooLarge() {
        startConnected();
        stub.holdLists();

        stub.send("{\"action\":\"add\",\"service\":{\"name\":\"" + "a".repeat(DiscoveryClient.MAX_EVENT_BYTES));

        assertRefused(DiscoveryClient.TOO_LARGE,
                "refused discovery data: too-large: watch event longer than 1048576 bytes", 1);
        stub.releaseLists();
        assertRecovers();
    }

    @Test
    void aWatchStreamCutInTheMiddleOfAnEventIsRefusedAsTruncated() {
        startConnected();
        stub.holdLists();

        String cut = "{\"action\":\"add\",\"serv";
        stub.send(cut);
        stub.closeWatch();

        assertRefused(DiscoveryClient.TRUNCATED, "refused discovery data: truncated: watch stream ended in the middle "
                + "of an event, after " + cut.length() + " bytes of it", 1);
        stub.releaseLists();
        assertRecovers();
    }

    @Test
    void aSchemaInvalidEventIsRefusedNeverAppliedAndResyncs() {
        startConnected();
        stub.holdLists();

        stub.send("{\"action\":\"add\",\"service\":{\"name\":null},\"checksum\":1}\r\n");
        stub.send("{\"action\":\"add\",\"service\":{\"name\":null},\"checksum\":1}\r\n");

        assertRefused(DiscoveryClient.SCHEMA_INVALID,
                "refused discovery data: schema-invalid: watch event: service.name: missing", 2);
        assertThat(count("fedgate.egress.discovery.resyncs", DiscoveryClient.UNREADABLE_EVENT))
                .as("events are counted as unreadable").isGreaterThanOrEqualTo(1);
        assertThat(harness.count("/v1/watch")).as("the stream itself was intact: the watch stays").isEqualTo(1);
        stub.releaseLists();
        assertRecovers();
        assertThat(harness.count("/v1/watch")).isEqualTo(1);
    }
}
