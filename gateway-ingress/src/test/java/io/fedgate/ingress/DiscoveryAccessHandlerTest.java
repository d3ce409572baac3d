package io.fedgate.ingress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.ssl.SslContext;
import io.netty.util.ReferenceCountUtil;

import io.fedgate.core.config.PeerConfig;
import io.fedgate.core.gateway.GatewayContext;
import io.fedgate.core.gateway.GatewayRole;
import io.fedgate.core.listener.ConnectionLimits;
import io.fedgate.core.listener.ConnectionRecord;
import io.fedgate.core.listener.DownstreamConnections;
import io.fedgate.core.listener.DownstreamReporter;
import io.fedgate.core.logging.AccessLog;
import io.fedgate.core.metrics.GatewayMetrics;
import io.fedgate.core.pki.IssuedCertificate;
import io.fedgate.core.spiffe.SpiffeId;
import io.fedgate.core.status.RefusalLog;
import io.fedgate.core.testing.FederationFixture;
import io.fedgate.core.testing.FederationPki;
import io.fedgate.core.testing.LeakCheckingAllocator;
import io.fedgate.core.testing.SniFuzzHarness;
import io.fedgate.core.tls.GatewayIdentity;
import io.fedgate.core.tls.SslContexts;
import io.fedgate.core.trust.PeerAuthorizer;

/**
 * {@link DiscoveryAccessHandler} behind {@code HttpServerCodec}, on the server side of a real (BoringSSL or JDK)
 * mutual-TLS connection between two embedded channels: red's ingress for green, and a client presenting either
 * green's egress SVID (the peer's {@code clientID}) or another workload of green's trust domain.
 */
class DiscoveryAccessHandlerTest {
    private static final FederationPki PKI;
    private static final GatewayContext INGRESS;
    private static final SslContext SERVER;
    private static final SslContext PEER_EGRESS;
    private static final SpiffeId WORKLOAD = SpiffeId.parse("spiffe://green-mesh.local/ns/bookinfo/sa/ratings");
    private static final SslContext PEER_WORKLOAD;

    static {
        LeakCheckingAllocator.failOnNettyLeakReports();
        FederationFixture federation = SniFuzzHarness.newFederation();
        FederationFixture.MeshConfig red = federation.redConfig();
        red.write();
        PKI = federation.pki();
        INGRESS = SniFuzzHarness.prepare(GatewayRole.INGRESS, federation.ingress(PKI.red(), PKI.green()).args(red));
        SERVER = SslContexts.forServer(INGRESS.identity(), INGRESS.trustBundles(),
                PeerAuthorizer.anyInTrustDomain(PKI.green().trustDomain()), INGRESS.tlsProvider());
        PEER_EGRESS = client(PKI.green().egressIdentity(PKI.red()));
        IssuedCertificate workload = PKI.green().ca().issueSvid(WORKLOAD);
        PEER_WORKLOAD = client(GatewayIdentity.of(workload.chain(), workload.privateKey(), List.of(workload.root())));
    }

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final DownstreamConnections connections = new DownstreamConnections(new ConnectionLimits(4, 2, 1, 0),
            new GatewayMetrics(registry, GatewayRole.INGRESS), AccessLog.open("off"));
    private final RefusalLog refusals = new RefusalLog(Clock.systemUTC());
    private final LeakCheckingAllocator alloc = new LeakCheckingAllocator();
    /** What the discovery server behind the handler received: request lines, and "body" per content it saw. */
    private final List<String> served = new ArrayList<>();
    private ConnectionRecord record;
    private EmbeddedChannel server;
    private EmbeddedChannel client;

    private static SslContext client(GatewayIdentity identity) {
        return SslContexts.forClient(identity, PKI.bundles(), PeerAuthorizer.exactly(PKI.red().ingressId(PKI.green())),
                INGRESS.tlsProvider());
    }

    /** Connects a client with {@code context} and completes the handshake. */
    private void connect(SslContext context) {
        Map<SpiffeId, PeerConfig> peers = DiscoveryAccessHandler.byClientId(INGRESS.peers());
        server = alloc.newChannel(ch -> {
            record = connections.admit(ch, DiscoveryListenerInitializer.NAME, DownstreamConnections.Budget.DISCOVERY);
            DownstreamReporter reporter = new DownstreamReporter(record, connections, refusals, true);
            ch.pipeline().addLast(SERVER.newHandler(alloc), new HttpServerCodec(),
                    new DiscoveryAccessHandler(peers, reporter), new ChannelInboundHandlerAdapter() {
                        @Override
                        public void channelRead(ChannelHandlerContext ctx, Object msg) {
                            if (msg instanceof HttpRequest request) {
                                served.add(request.method() + " " + request.uri());
                            } else if (msg instanceof HttpContent content && content.content().isReadable()) {
                                served.add("body");
                            }
                            ReferenceCountUtil.release(msg);
                        }
                    });
        });
        client = alloc.newChannel(ch -> ch.pipeline().addLast(context.newHandler(alloc, "ingress", 8188),
                new HttpClientCodec(), new HttpObjectAggregator(4096)));
        shuttle();
    }

    /** Moves bytes between the two channels until neither has more to send. */
    private void shuttle() {
        for (int round = 0; round < 100; round++) {
            boolean moved = move(client, server) | move(server, client);
            if (!moved) {
                return;
            }
        }
        throw new AssertionError("the two sides still talk after 100 rounds");
    }

    private static boolean move(EmbeddedChannel from, EmbeddedChannel to) {
        boolean moved = false;
        for (ByteBuf out; (out = from.readOutbound()) != null; ) {
            moved = true;
            if (to.isOpen() && out.isReadable()) {
                to.writeInbound(out);
            } else {
                out.release();
            }
        }
        return moved;
    }

    /** Sends {@code http} as it is, encrypted (written below the client's codec, which only encodes messages). */
    private void send(String http) {
        client.pipeline().context(HttpClientCodec.class)
                .writeAndFlush(alloc.buffer().writeBytes(http.getBytes(StandardCharsets.US_ASCII)));
        shuttle();
    }

    /** The responses the client received, as the status and any {@code connection} header, each released. */
    private List<String> responses() {
        List<String> responses = new ArrayList<>();
        for (Object in; (in = client.readInbound()) != null; ) {
            FullHttpResponse response = (FullHttpResponse) in;
            String connection = response.headers().get(HttpHeaderNames.CONNECTION);
            responses.add(response.status().code() + (connection == null ? "" : " connection: " + connection));
            response.release();
        }
        return responses;
    }

    private double refused(String reason, String peer) {
        Counter counter = registry.find("fedgate.ingress.downstream.cx.refused").tag("reason", reason)
                .tag("peer", peer).tag("listener", DiscoveryListenerInitializer.NAME).counter();
        return counter == null ? 0 : counter.count();
    }

    @AfterEach
    void nothingLeftOver() {
        if (client == null) {
            return;
        }
        responses();
        client.close();
        shuttle();
        server.close();
        shuttle();
        assertFalse(server.finish());
        assertFalse(client.finish());
        alloc.assertAllReleased();
    }

    @Test
    void thePeersClientIdGetsItsOwnServicesAndWatchWithTheQueryKept() {
        connect(PEER_EGRESS);
        send("GET /v1/services/ HTTP/1.1\r\nHost: ingress\r\n\r\n"
                + "GET /v1/watch?resourceVersion=7 HTTP/1.1\r\nHost: ingress\r\n\r\n");

        assertThat(served).containsExactly("GET /v1/services/green-mesh", "GET /v1/watch/green-mesh?resourceVersion=7");
        assertThat(server.isOpen()).isTrue();
        assertThat(registry.find("fedgate.ingress.downstream.cx.refused").counters()).isEmpty();
    }

    @Test
    void otherPathsAre404KeepingTheConnectionAlive() {
        connect(PEER_EGRESS);
        send("GET /v1/services/other-mesh HTTP/1.1\r\nHost: ingress\r\n\r\n");
        send("GET /v1/services/ HTTP/1.1\r\nHost: ingress\r\n\r\n");

        assertThat(responses()).containsExactly("404");
        assertThat(served).containsExactly("GET /v1/services/green-mesh");
        assertThat(server.isOpen()).isTrue();
    }

    @Test
    void theBodyOfAnAnsweredRequestIsDiscarded() {
        connect(PEER_EGRESS);
        send("POST /v1/other HTTP/1.1\r\nHost: ingress\r\nContent-Length: 5\r\n\r\nhello"
                + "GET /v1/services/ HTTP/1.1\r\nHost: ingress\r\n\r\n");

        assertThat(responses()).containsExactly("404");
        assertThat(served).as("no body without its head").containsExactly("GET /v1/services/green-mesh");
    }

    @Test
    void anotherIdentityOfThePeersTrustDomainIs403AndClosedAfterTheAnswer() {
        connect(PEER_WORKLOAD);
        send("POST /v1/services/ HTTP/1.1\r\nHost: ingress\r\nContent-Length: 5\r\n\r\nhello"
                + "GET /v1/watch HTTP/1.1\r\nHost: ingress\r\n\r\n");

        assertThat(responses()).containsExactly("403 connection: close");
        assertThat(served).as("pipelined requests and bodies are dropped").isEmpty();
        assertThat(server.isOpen()).isFalse();
        assertThat(refused("spiffe_id_mismatch", "green-mesh")).isEqualTo(1);
        assertThat(registry.find("fedgate.ingress.downstream.cx.refused").counters()).hasSize(1);
        assertThat(record.reason()).isEqualTo("spiffe-id-mismatch");
        assertThat(record.detail()).isEqualTo("presented " + WORKLOAD + ", expected "
                + PKI.green().egressId(PKI.red()) + " (HTTP 403)");
        assertThat(refusals.last("green-mesh")).isPresent();
    }
}
