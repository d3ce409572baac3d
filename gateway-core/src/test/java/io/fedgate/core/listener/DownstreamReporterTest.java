package io.fedgate.core.listener;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.logging.LogRecord;
import java.util.stream.Stream;

import javax.net.ssl.SSLHandshakeException;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.ssl.NotSslRecordException;
import io.netty.handler.ssl.SniCompletionEvent;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.ssl.SslHandshakeTimeoutException;

import io.fedgate.core.gateway.GatewayRole;
import io.fedgate.core.logging.AccessLog;
import io.fedgate.core.metrics.GatewayMetrics;
import io.fedgate.core.status.Refusal;
import io.fedgate.core.status.RefusalLog;
import io.fedgate.core.testing.LeakCheckingAllocator;
import io.fedgate.core.testing.LogCapture;
import io.fedgate.core.trust.PeerRefusedException;
import io.fedgate.core.trust.RefusalReason;

class DownstreamReporterTest {
    private static final String LISTENER = "service";

    static {
        LeakCheckingAllocator.failOnNettyLeakReports();
    }

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final DownstreamConnections connections = new DownstreamConnections(new ConnectionLimits(4, 1, 1, 0),
            new GatewayMetrics(registry, GatewayRole.INGRESS), AccessLog.open("off"));
    private final RefusalLog refusals = new RefusalLog(Clock.systemUTC());
    private final LeakCheckingAllocator alloc = new LeakCheckingAllocator();
    private final LogCapture log = LogCapture.of("io.fedgate.core.listener.Listener");
    /** The events that passed the reporter. */
    private final List<Object> passedOn = new ArrayList<>();
    private ConnectionRecord record;
    private DownstreamReporter reporter;
    private EmbeddedChannel channel;

    private EmbeddedChannel channel(boolean doneAfterHandshake) {
        channel = alloc.newChannel(ch -> {
            record = connections.admit(ch, LISTENER, DownstreamConnections.Budget.SERVICE);
            reporter = new DownstreamReporter(record, connections, refusals, doneAfterHandshake);
            ch.pipeline().addLast(DownstreamReporter.NAME, reporter).addLast(new ChannelInboundHandlerAdapter() {
                @Override
                public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                    passedOn.add(evt);
                }
            });
        });
        return channel;
    }

    @AfterEach
    void nothingLeftOver() {
        log.close();
        if (channel != null) {
            assertFalse(channel.finish());
        }
        alloc.assertAllReleased();
    }

    private double refused(String reason, String peer) {
        Counter counter = registry.find("fedgate.ingress.downstream.cx.refused").tag("listener", LISTENER)
                .tag("reason", reason).tag("peer", peer).counter();
        return counter == null ? 0 : counter.count();
    }

    private double refusedInAll() {
        return registry.find("fedgate.ingress.downstream.cx.refused").counters().stream()
                .mapToDouble(Counter::count).sum();
    }

    private List<String> logged() {
        return log.records().stream().map(LogRecord::getMessage).toList();
    }

    static Stream<Arguments> refusalPaths() {
        return Stream.of(
                path("an SNI lookup failure", (ch, reporter) -> ch.pipeline().fireUserEventTriggered(
                        new SniCompletionEvent("nope.example", new RouteRefusedException(DownstreamRefusal.UNKNOWN_SNI, "no route for nope.example"))),
                        "unknown-sni", "no route for nope.example"),
                path("a handshake refused by the trust manager", (ch, reporter) -> ch.pipeline().fireUserEventTriggered(
                        new SslHandshakeCompletionEvent(handshakeFailure(new PeerRefusedException(
                                RefusalReason.SPIFFE_ID_MISMATCH, "presented spiffe://a/x, expected spiffe://a/y")))),
                        "spiffe-id-mismatch", "presented spiffe://a/x, expected spiffe://a/y"),
                path("a handshake timeout", (ch, reporter) -> ch.pipeline().fireExceptionCaught(
                        new SslHandshakeTimeoutException("handshake timed out after 10000ms")),
                        "handshake-timeout", "handshake timed out after 10000ms"),
                path("plaintext", (ch, reporter) -> ch.pipeline().fireExceptionCaught(
                        new DecoderException(new NotSslRecordException("not an SSL/TLS record: 474554"))),
                        "not-tls", "the first bytes are not a TLS record"),
                path("a ClientHello beyond the bound", (ch, reporter) -> ch.pipeline().fireExceptionCaught(
                        new DecoderException(new TooLongFrameException("ClientHello length exceeds 16384: 20000"))),
                        "client-hello-too-large", "ClientHello length exceeds 16384: 20000"),
                path("an input shutdown before the handshake", (ch, reporter) -> ch.pipeline().fireUserEventTriggered(
                        ChannelInputShutdownEvent.INSTANCE),
                        DownstreamRefusal.CLOSED_BEFORE_HANDSHAKE.code(), "ended its input before TLS was established"),
                path("a reset before the handshake", (ch, reporter) -> ch.pipeline().fireExceptionCaught(
                        new IOException("Connection reset by peer")),
                        DownstreamRefusal.CLOSED_BEFORE_HANDSHAKE.code(), "Connection reset by peer"),
                path("a close before the handshake", (ch, reporter) -> ch.close(),
                        DownstreamRefusal.CLOSED_BEFORE_HANDSHAKE.code(), "closed the connection before TLS was established"));
    }

    private static Arguments path(String name, BiConsumer<EmbeddedChannel, DownstreamReporter> trigger, String reason,
                                  String detail) {
        return Arguments.of(name, trigger, reason, detail);
    }

    private static SSLHandshakeException handshakeFailure(Throwable cause) {
        SSLHandshakeException failure = new SSLHandshakeException("General OpenSslEngine problem");
        failure.initCause(cause);
        return failure;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusalPaths")
    void eachRefusalIsLoggedCountedRecordedOnceAndCloses(String name,
                                                         BiConsumer<EmbeddedChannel, DownstreamReporter> trigger,
                                                         String reason, String detail) {
        channel(false);
        trigger.accept(channel, reporter);
        channel.runPendingTasks();

        assertThat(channel.isOpen()).isFalse();
        assertThat(record.result()).isEqualTo(ConnectionRecord.REFUSED);
        assertThat(record.reason()).isEqualTo(reason);
        assertThat(record.detail()).contains(detail);
        assertThat(refused(reason.replace('-', '_'), RefusalLog.UNKNOWN_PEER)).isEqualTo(1);
        assertThat(refusedInAll()).as("once, though the close follows").isEqualTo(1);
        assertThat(logged()).singleElement().asString()
                .startsWith("refused listener=service downstream=- sni=")
                .contains(" peer=unknown reason=" + reason + ": ").contains(detail);
        assertThat(refusals.last(RefusalLog.UNKNOWN_PEER)).map(Refusal::reason).hasValue(reason);
    }

    @Test
    void aRefusedRouteIsCountedForItsPeerWithTheServerName() {
        channel(false);
        reporter.serverName("ratings.bookinfo.svc.green-mesh-exports.local");
        reporter.peer("green-mesh");
        channel.pipeline().fireExceptionCaught(new RouteRefusedException(DownstreamRefusal.MAX_CONNECTIONS_PER_PEER, "peer green-mesh holds 2 connections"));

        assertThat(channel.isOpen()).isFalse();
        assertThat(refused("max_connections_per_peer", "green-mesh")).isEqualTo(1);
        assertThat(refusedInAll()).isEqualTo(1);
        assertThat(record.reason()).isEqualTo(DownstreamRefusal.MAX_CONNECTIONS_PER_PEER.code());
        assertThat(logged()).singleElement().asString()
                .contains("sni=ratings.bookinfo.svc.green-mesh-exports.local peer=green-mesh "
                        + "reason=max-connections-per-peer: peer green-mesh holds 2 connections");
        assertThat(refusals.last("green-mesh")).map(Refusal::detail).hasValue("peer green-mesh holds 2 connections");
    }

    @Test
    void aRequestRefusalIsReportedOnceAndLeavesTheClosingToTheCaller() {
        channel(true);
        channel.pipeline().fireUserEventTriggered(SslHandshakeCompletionEvent.SUCCESS);
        reporter.peer("green-mesh");
        reporter.refuseRequest(channel, "spiffe-id-mismatch", "presented x, expected y (HTTP 403)");
        reporter.refuseRequest(channel, "spiffe-id-mismatch", "presented x, expected y (HTTP 403)");

        assertThat(channel.isOpen()).isTrue();
        assertThat(refused("spiffe_id_mismatch", "green-mesh")).isEqualTo(1);
        assertThat(logged()).hasSize(1);
        assertThat(record.result()).isEqualTo(ConnectionRecord.REFUSED);
        assertThat(record.detail()).isEqualTo("presented x, expected y (HTTP 403)");

        channel.close();
        assertThat(refusedInAll()).as("the close after the answer is no second refusal").isEqualTo(1);
    }

    @Test
    void afterAHandshakeTheDiscoveryReporterStepsAsideAndPassesTheEventOn() {
        channel(true);
        channel.pipeline().fireUserEventTriggered(SslHandshakeCompletionEvent.SUCCESS);

        assertThat(channel.pipeline().get(DownstreamReporter.NAME)).isNull();
        assertThat(passedOn).containsExactly(SslHandshakeCompletionEvent.SUCCESS);
        assertThat(registry.get("fedgate.ingress.downstream.tls.handshake").tag("listener", LISTENER).timer().count())
                .isEqualTo(1);
        channel.close();
        assertThat(refusedInAll()).isZero();
        assertThat(record.result()).isEqualTo(ConnectionRecord.SERVED);
    }

    @Test
    void afterAHandshakeTheServiceReporterStaysUntilTheRelayStarts() {
        channel(false);
        channel.pipeline().fireUserEventTriggered(SslHandshakeCompletionEvent.SUCCESS);
        assertThat(channel.pipeline().get(DownstreamReporter.NAME)).isSameAs(reporter);
        assertThat(passedOn).isEmpty();

        reporter.relayStarted(channel.pipeline().context(reporter));
        channel.close();
        assertThat(refusedInAll()).isZero();
        assertThat(logged()).isEmpty();
    }

    @Test
    void bytesThatReachTheReporterAreReleased() {
        channel(false);
        var stray = alloc.buffer().writeByte(1);
        channel.writeInbound(stray);
        assertThat(stray.refCnt()).isZero();
        channel.close();
    }
}
