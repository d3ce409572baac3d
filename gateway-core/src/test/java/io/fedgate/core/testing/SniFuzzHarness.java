package io.fedgate.core.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.channel.ChannelHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.resolver.DefaultAddressResolverGroup;
import io.netty.util.ReferenceCountUtil;

import io.fedgate.core.listener.DownstreamRefusal;
import io.fedgate.core.cli.GatewayCommand;
import io.fedgate.core.gateway.GatewayContext;
import io.fedgate.core.gateway.GatewayRole;
import io.fedgate.core.listener.AfterHandshakeHandler;
import io.fedgate.core.listener.ConnectionLimits;
import io.fedgate.core.listener.ConnectionRecord;
import io.fedgate.core.listener.DownstreamConnections;
import io.fedgate.core.listener.DownstreamReporter;
import io.fedgate.core.logging.AccessLog;
import io.fedgate.core.metrics.GatewayMetrics;
import io.fedgate.core.relay.HoldReadsHandler;
import io.fedgate.core.relay.UpstreamConnector;
import io.fedgate.core.status.RefusalLog;
import io.fedgate.core.transport.Transport;
import io.fedgate.core.trust.RefusalReason;

/**
 * Drives a service listener's SNI handler (an {@code AbstractSniHandler} subclass) and its
 * {@link DownstreamReporter} in an {@code EmbeddedChannel} with arbitrary downstream bytes, for the gateways' fuzz
 * tests, and with the named ClientHello corpus or a stalled hello, for their unit tests
 * ({@link #assertCorpusEntry}, {@link #assertHandshakeTimeout}). Each fuzz input is fed whole and again in three pieces, then the connection closes. Both runs must end alike:
 * a route taken (the SNI handler replaced) or not, then a refusal whose reason is one the gateway documents; no
 * exception out of the pipeline, no buffer leaked, the connection's {@code --max-connections} slot given back. A
 * first TLS record announcing a ClientHello longer than the bound must be refused as
 * {@code client-hello-too-large}, whatever else it holds.
 */
public final class SniFuzzHarness {
    /** The pipeline name of the SNI handler under test. */
    public static final String SNI = "sni";

    /** {@link #CORPUS_OUTCOMES}' outcome of an entry whose server name has a route. */
    public static final String ROUTED = "routed";

    /**
     * How each entry of the {@link ClientHelloCorpus} ends given a listener that routes {@link ClientHelloCorpus#HOST}
     * (also in the outbound form) but not {@link ClientHelloCorpus#UNDERSCORE_HOST}: {@link #ROUTED}, or the reason
     * the {@link DownstreamReporter} records.
     */
    public static final Map<String, String> CORPUS_OUTCOMES = corpusOutcomes();

    private static final Set<String> REASONS = new HashSet<>(Arrays.asList(DownstreamRefusal.NOT_TLS.code(),
            DownstreamRefusal.NO_SNI.code(), DownstreamRefusal.UNKNOWN_SNI.code(), DownstreamRefusal.SNI_NEEDS_PORT.code(),
            "client-hello-too-large", "handshake-timeout",
            DownstreamRefusal.CLOSED_BEFORE_HANDSHAKE.code(), DownstreamRefusal.UPSTREAM_UNREACHABLE.code()));

    static {
        for (RefusalReason reason : RefusalReason.values()) {
            REASONS.add(reason.code());
        }
        LeakCheckingAllocator.failOnNettyLeakReports();
    }

    private final String listener;
    private final int maxClientHello;
    private final DownstreamConnections connections;
    private final RefusalLog refusals = new RefusalLog(Clock.systemUTC());

    /** A harness for connections of {@code listener} under {@code maxClientHello}, counting as {@code role}. */
    public SniFuzzHarness(GatewayRole role, String listener, int maxClientHello) {
        this.listener = listener;
        this.maxClientHello = maxClientHello;
        // One service slot: a connection that does not give its slot back makes the next input fail.
        this.connections = new DownstreamConnections(new ConnectionLimits(2, 1, 1, 0), new GatewayMetrics(new SimpleMeterRegistry(), role),
                AccessLog.open("off"));
    }

    /** A federation of red and green in a new temporary directory. */
    public static FederationFixture newFederation() {
        try {
            return FederationFixture.create(Files.createTempDirectory("sni-fuzz"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * An upstream connector for a listener context whose routes never connect: these inputs end before a TLS
     * handshake completes (only pass-through would connect during the lookup).
     */
    public static UpstreamConnector idleConnector() {
        return new UpstreamConnector(Transport.NIO, Duration.ofSeconds(1), DefaultAddressResolverGroup.INSTANCE);
    }

    /** The context a gateway of {@code role} starts from with command line {@code args}. */
    public static GatewayContext prepare(GatewayRole role, List<String> args) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        GatewayCommand.Prepared prepared = GatewayCommand.prepare(role, "fuzz", args.toArray(String[]::new),
                System.out, new PrintStream(err, true, StandardCharsets.UTF_8));
        if (!prepared.ready()) {
            throw new IllegalStateException(err.toString(StandardCharsets.UTF_8));
        }
        return prepared.context();
    }

    private static Map<String, String> corpusOutcomes() {
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("valid_sni", ROUTED);
        expected.put("outbound_form", ROUTED);
        expected.put("underscore_name", DownstreamRefusal.UNKNOWN_SNI.code());
        expected.put("no_sni", DownstreamRefusal.NO_SNI.code());
        expected.put("fragmented", ROUTED);
        expected.put("too_large", "client-hello-too-large");
        expected.put("not_tls", DownstreamRefusal.NOT_TLS.code());
        if (!expected.keySet().equals(new HashSet<>(ClientHelloCorpus.NAMES))) {
            throw new IllegalStateException("the corpus is " + ClientHelloCorpus.NAMES + ", outcomes are for "
                    + expected.keySet());
        }
        return Map.copyOf(expected);
    }

    /**
     * Runs every entry of the {@link ClientHelloCorpus} and throws unless each ends as {@link #CORPUS_OUTCOMES} says.
     * A routed hello meets a server that never hears more.
     */
    public void assertCorpusOutcomes(Function<DownstreamReporter, ChannelHandler> sniHandler) {
        Map<String, String> expected = new LinkedHashMap<>();
        Map<String, String> outcomes = new LinkedHashMap<>();
        ClientHelloCorpus.NAMES.forEach(name -> {
            String outcome = CORPUS_OUTCOMES.get(name);
            expected.put(name, outcome.equals(ROUTED) ? ROUTED + ", then " + DownstreamRefusal.CLOSED_BEFORE_HANDSHAKE.code()
                    : outcome);
            outcomes.put(name, run(ClientHelloCorpus.read(name), sniHandler));
        });
        if (!outcomes.equals(expected)) {
            throw new AssertionError("the corpus ended as " + outcomes + ", expected " + expected);
        }
    }

    /**
     * Feeds corpus entry {@code name} whole to a new connection and checks it ends as {@link #CORPUS_OUTCOMES} says:
     * routed to {@code peer}, the SNI handler replaced by {@code tls -> hold-reads -> terminated-upstream} with the
     * ClientHello handed to TLS (which answers it), then closed by the downstream; or refused and closed with the
     * expected reason. Either way nothing is left in the channel and no buffer leaks.
     *
     * @return the connection's record, for checks of its own
     */
    public ConnectionRecord assertCorpusEntry(String name, Function<DownstreamReporter, ChannelHandler> sniHandler,
                                              String peer) {
        Connection connection = connect(sniHandler);
        byte[] hello = ClientHelloCorpus.read(name);
        connection.write(hello, 0, hello.length);
        EmbeddedChannel channel = connection.channel();
        channel.runPendingTasks();
        ConnectionRecord record = connection.record();
        String expected = CORPUS_OUTCOMES.get(name);
        if (expected.equals(ROUTED)) {
            assertThat(connection.routed()).as("routed").isTrue();
            assertThat(channel.pipeline().names()).containsSubsequence("tls", HoldReadsHandler.NAME,
                    AfterHandshakeHandler.NAME, DownstreamReporter.NAME);
            assertThat(record.peer()).isEqualTo(peer);
            assertThat(connection.releaseOutbound()).as("TLS answered the ClientHello").isPositive();
            assertThat(channel.isOpen()).isTrue();
            channel.close();
            connection.releaseOutbound(); // TLS's close_notify
            assertThat(record.reason()).isEqualTo(DownstreamRefusal.CLOSED_BEFORE_HANDSHAKE.code());
        } else {
            assertThat(channel.isOpen()).as("closed").isFalse();
            assertThat(record.reason()).isEqualTo(expected);
            assertThat(channel.pipeline().get("tls")).isNull();
        }
        assertThat(record.result()).isEqualTo(ConnectionRecord.REFUSED);
        assertFalse(channel.finish());
        connection.alloc().assertAllReleased();
        return record;
    }

    /**
     * A downstream that sends the first {@code bytes} bytes of {@code valid_sni} and then nothing is refused as
     * {@code handshake-timeout} once {@code timeoutMillis} have passed, and not 100 ms before (the timer starts on the
     * real clock, just before the connection's is frozen).
     */
    public void assertHandshakeTimeout(Function<DownstreamReporter, ChannelHandler> sniHandler, long timeoutMillis,
                                       int bytes) {
        Connection connection = connect(sniHandler);
        EmbeddedChannel channel = connection.channel();
        connection.write(ClientHelloCorpus.read("valid_sni"), 0, bytes);
        channel.advanceTimeBy(timeoutMillis - 100, TimeUnit.MILLISECONDS);
        channel.runPendingTasks();
        assertThat(channel.isOpen()).as("still open, not refused as %s", connection.record().reason()).isTrue();
        channel.advanceTimeBy(100, TimeUnit.MILLISECONDS);
        channel.runPendingTasks();
        assertThat(channel.isOpen()).isFalse();
        assertThat(connection.record().reason()).isEqualTo("handshake-timeout");
        assertFalse(channel.finish());
        connection.alloc().assertAllReleased();
    }

    /** The connections the listener context under test must share with the reporters. */
    public DownstreamConnections connections() {
        return connections;
    }

    /** The refusal log the listener context under test must share with the reporters. */
    public RefusalLog refusals() {
        return refusals;
    }

    /**
     * Runs {@code input} through the handler that {@code sniHandler} makes for a connection's reporter.
     *
     * @return how it ended: the refusal reason, after {@code routed, then } if a route was taken first
     */
    public String run(byte[] input, Function<DownstreamReporter, ChannelHandler> sniHandler) {
        String whole = feed(input, sniHandler, input.length, input.length);
        String pieces = feed(input, sniHandler, input.length / 3, 2 * input.length / 3);
        if (!whole.equals(pieces)) {
            throw new AssertionError("fed whole: " + whole + "; fed in pieces: " + pieces);
        }
        if (announcesTooLargeHello(input) && !whole.equals("client-hello-too-large")) {
            throw new AssertionError("a ClientHello beyond " + maxClientHello + " bytes ended in " + whole);
        }
        return whole;
    }

    /**
     * A new downstream connection of the listener, its pipeline {@code sni -> downstream-reporter} with the handler
     * {@code sniHandler} makes, admitted under the listener's budget, allocating from its own
     * {@link LeakCheckingAllocator}, its clock frozen.
     */
    public Connection connect(Function<DownstreamReporter, ChannelHandler> sniHandler) {
        LeakCheckingAllocator alloc = new LeakCheckingAllocator();
        ConnectionRecord[] record = new ConnectionRecord[1];
        EmbeddedChannel channel = alloc.newChannel(ch -> {
            record[0] = connections.admit(ch, listener, DownstreamConnections.Budget.SERVICE);
            if (record[0] == null) {
                throw new AssertionError("refused as max-connections: an earlier connection kept its slot");
            }
            DownstreamReporter reporter = new DownstreamReporter(record[0], connections, refusals, false);
            ch.pipeline().addLast(SNI, sniHandler.apply(reporter));
            ch.pipeline().addLast(DownstreamReporter.NAME, reporter);
        });
        channel.freezeTime(); // from here the handshake timeout runs only as a test advances the clock
        return new Connection(channel, record[0], alloc);
    }

    /** One downstream connection driven by a test. */
    public record Connection(EmbeddedChannel channel, ConnectionRecord record, LeakCheckingAllocator alloc) {
        /** Writes {@code input[from, to)} as one read, if the channel is still open. */
        public void write(byte[] input, int from, int to) {
            if (from < to && channel.isOpen()) {
                channel.writeInbound(alloc.heapBuffer(to - from).writeBytes(input, from, to - from));
            }
        }

        /** Whether the SNI handler has left the pipeline without the connection being refused. */
        public boolean routed() {
            return channel.pipeline().get(SNI) == null && record.reason() == null;
        }

        /** Releases and counts the buffers written to the downstream so far (a TLS server's first flight). */
        public int releaseOutbound() {
            int buffers = 0;
            for (Object out; (out = channel.readOutbound()) != null; buffers++) {
                ReferenceCountUtil.release(out);
            }
            return buffers;
        }
    }

    private String feed(byte[] input, Function<DownstreamReporter, ChannelHandler> sniHandler, int cut1, int cut2) {
        Connection connection = connect(sniHandler);
        connection.write(input, 0, cut1);
        connection.write(input, cut1, cut2);
        connection.write(input, cut2, input.length);
        EmbeddedChannel channel = connection.channel();
        ConnectionRecord record = connection.record();
        channel.runPendingTasks();
        boolean routed = connection.routed();
        channel.finishAndReleaseAll();
        connection.alloc().assertAllReleased();
        String reason = record.reason();
        if (!ConnectionRecord.REFUSED.equals(record.result()) || !REASONS.contains(reason)) {
            throw new AssertionError("ended as " + record.result() + " with reason " + reason + ": "
                    + record.detail());
        }
        return routed ? ROUTED + ", then " + reason : reason;
    }

    /**
     * Whether the first record is complete and is a TLS handshake record (SSLv3 or later) whose first message is a
     * ClientHello announcing more than {@link #maxClientHello} bytes: Netty's {@code SslClientHelloHandler} reads
     * that length before anything else and refuses such a hello at once.
     */
    private boolean announcesTooLargeHello(byte[] input) {
        if (input.length < 9 || input[0] != 0x16 || input[1] != 3 || input[5] != 1) {
            return false;
        }
        int recordLength = ((input[3] & 0xff) << 8) | (input[4] & 0xff);
        int helloLength = ((input[6] & 0xff) << 16) | ((input[7] & 0xff) << 8) | (input[8] & 0xff);
        return recordLength >= 4 && input.length >= 5 + recordLength && helloLength > maxClientHello;
    }
}
