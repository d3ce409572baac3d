package io.fedgate.core.testing;

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
import java.util.function.Function;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.channel.ChannelHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.resolver.DefaultAddressResolverGroup;

import io.fedgate.core.listener.DownstreamRefusal;
import io.fedgate.core.cli.GatewayCommand;
import io.fedgate.core.gateway.GatewayContext;
import io.fedgate.core.gateway.GatewayRole;
import io.fedgate.core.listener.ConnectionLimits;
import io.fedgate.core.listener.ConnectionRecord;
import io.fedgate.core.listener.DownstreamConnections;
import io.fedgate.core.listener.DownstreamReporter;
import io.fedgate.core.logging.AccessLog;
import io.fedgate.core.metrics.GatewayMetrics;
import io.fedgate.core.relay.UpstreamConnector;
import io.fedgate.core.status.RefusalLog;
import io.fedgate.core.transport.Transport;
import io.fedgate.core.trust.RefusalReason;

/**
 * Drives a service listener's SNI handler (an {@code AbstractSniHandler} subclass) and its
 * {@link DownstreamReporter} in an {@code EmbeddedChannel} with arbitrary downstream bytes, for the gateways' fuzz
 * tests. Each input is fed whole and again in three pieces, then the connection closes. Both runs must end alike:
 * a route taken (the SNI handler replaced) or not, then a refusal whose reason is one the gateway documents; no
 * exception out of the pipeline, no buffer leaked, the connection's {@code --max-connections} slot given back. A
 * first TLS record announcing a ClientHello longer than the bound must be refused as
 * {@code client-hello-too-large}, whatever else it holds.
 */
public final class SniFuzzHarness {
    /** The pipeline name of the SNI handler under test. */
    public static final String SNI = "sni";

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

    /**
     * Runs every entry of the {@link ClientHelloCorpus} and throws unless each ends as its name says, given a
     * listener that routes {@link ClientHelloCorpus#HOST} (also in the outbound form) but not
     * {@link ClientHelloCorpus#UNDERSCORE_HOST}. A routed hello meets a server that never hears more.
     */
    public void assertCorpusOutcomes(Function<DownstreamReporter, ChannelHandler> sniHandler) {
        String routed = "routed, then " + DownstreamRefusal.CLOSED_BEFORE_HANDSHAKE.code();
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("valid_sni", routed);
        expected.put("outbound_form", routed);
        expected.put("underscore_name", DownstreamRefusal.UNKNOWN_SNI.code());
        expected.put("no_sni", DownstreamRefusal.NO_SNI.code());
        expected.put("fragmented", routed);
        expected.put("too_large", "client-hello-too-large");
        expected.put("not_tls", DownstreamRefusal.NOT_TLS.code());
        Map<String, String> outcomes = new LinkedHashMap<>();
        ClientHelloCorpus.NAMES.forEach(name -> outcomes.put(name, run(ClientHelloCorpus.read(name), sniHandler)));
        if (!outcomes.equals(expected)) {
            throw new AssertionError("the corpus ended as " + outcomes + ", expected " + expected);
        }
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

    private String feed(byte[] input, Function<DownstreamReporter, ChannelHandler> sniHandler, int cut1, int cut2) {
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
        write(channel, alloc, input, 0, cut1);
        write(channel, alloc, input, cut1, cut2);
        write(channel, alloc, input, cut2, input.length);
        channel.runPendingTasks();
        boolean routed = channel.pipeline().get(SNI) == null && record[0].reason() == null;
        channel.finishAndReleaseAll();
        alloc.assertAllReleased();
        String reason = record[0].reason();
        if (!ConnectionRecord.REFUSED.equals(record[0].result()) || !REASONS.contains(reason)) {
            throw new AssertionError("ended as " + record[0].result() + " with reason " + reason + ": "
                    + record[0].detail());
        }
        return routed ? "routed, then " + reason : reason;
    }

    private static void write(EmbeddedChannel channel, LeakCheckingAllocator alloc, byte[] input, int from, int to) {
        if (from < to && channel.isOpen()) {
            channel.writeInbound(alloc.heapBuffer(to - from).writeBytes(input, from, to - from));
        }
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
