package io.fedgate.bench;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLEngineResult.Status;
import javax.net.ssl.SSLException;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.util.ReferenceCountUtil;

import io.fedgate.core.demo.Mesh;
import io.fedgate.core.testing.FederationPki;
import io.fedgate.core.tls.SslContexts;
import io.fedgate.core.tls.TlsProvider;
import io.fedgate.core.trust.PeerAuthorizer;

/**
 * Throughput of TLS record protection with BoringSSL (netty-tcnative) versus the JDK's SunJSSE, the choice
 * {@link TlsProvider} makes: {@code size} bytes of plaintext wrapped by a client engine and unwrapped by a server
 * engine, in direct buffers as Netty's {@code SslHandler} hands them over. Every byte a terminating gateway
 * relays pays this once or twice (an egress encrypts toward the peer; an ingress in terminate mode decrypts), so the
 * provider sets the ceiling of a gateway's bytes per second per core.
 *
 * <p>Both engines come from {@link SslContexts}, as the gateways build them (mTLS with SPIFFE trust managers, TLS 1.3
 * and 1.2): green's egress is the client, red's ingress the server. The handshake runs once at setup by shuttling
 * buffers between the two engines; the cipher suite is whatever the two negotiate (printed at setup; BoringSSL and
 * the JDK may prefer different AEADs, which is part of what is compared). The score is plaintexts of {@code size}
 * bytes per second, the {@code :bytes} result the plaintext bytes per second; {@code size=1024} shows the per-record
 * overhead, {@code size=16384} (a full record) the bulk rate. The JDK carries 16384 bytes in two records (see
 * {@link #passPlaintext()}), which is part of its cost.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
// Three warm-up seconds: the JDK engine takes longer than BoringSSL to reach its compiled speed.
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class TlsRecordBenchmark {
    private static final int MAX_HANDSHAKE_ROUNDS = 16;

    /** The TLS implementation of both engines. */
    @Param({"OPENSSL", "JDK"})
    public TlsProvider provider;

    /** Plaintext bytes per wrap: 1 KiB, or a full 16 KiB record. */
    @Param({"1024", "16384"})
    public int size;

    private SslContext clientContext;
    private SslContext serverContext;
    private SSLEngine client;
    private SSLEngine server;
    private ByteBuffer plaintext;
    private ByteBuffer network;
    private ByteBuffer received;

    @Setup
    public void setUp() throws SSLException {
        if (!provider.isAvailable()) {
            throw new IllegalStateException(provider + " is not available here: " + OpenSsl.unavailabilityCause()
                    + " (run with -p provider=JDK)");
        }
        FederationPki pki = FederationPki.create();
        Mesh red = pki.red();
        Mesh green = pki.green();
        serverContext = SslContexts.forServer(red.ingressIdentity(green), pki.bundles(), green.egressAuthorizer(red),
                provider);
        clientContext = SslContexts.forClient(green.egressIdentity(red), pki.bundles(),
                PeerAuthorizer.exactly(red.ingressId(green)), provider);
        client = clientContext.newEngine(ByteBufAllocator.DEFAULT, "ratings.bookinfo.svc.green-mesh-exports.local", 443);
        server = serverContext.newEngine(ByteBufAllocator.DEFAULT);

        int packetSize = Math.max(client.getSession().getPacketBufferSize(), server.getSession().getPacketBufferSize());
        int applicationSize = Math.max(client.getSession().getApplicationBufferSize(),
                server.getSession().getApplicationBufferSize());
        // Room for two records (see passPlaintext); BoringSSL's unwrap wants room for a whole record's payload.
        network = ByteBuffer.allocateDirect(2 * packetSize);
        received = ByteBuffer.allocateDirect(size + packetSize);
        plaintext = ByteBuffer.allocateDirect(size);
        for (int i = 0; i < size; i++) {
            plaintext.put((byte) (i * 31 + 7));
        }
        plaintext.flip();

        handshake(ByteBuffer.allocateDirect(packetSize), ByteBuffer.allocateDirect(applicationSize));
        String protocol = client.getSession().getProtocol();
        if (!SslContexts.PROTOCOLS.contains(protocol)) {
            throw new IllegalStateException("negotiated " + protocol + ", expected one of " + SslContexts.PROTOCOLS);
        }

        // The plaintext must come through intact before anything is measured.
        int produced = passPlaintext();
        received.flip();
        plaintext.rewind();
        if (produced != size || !received.equals(plaintext)) {
            throw new IllegalStateException(size + " bytes of plaintext came through as " + produced + " bytes"
                    + (produced == size ? " with different content" : ""));
        }
        System.out.println("# TLS " + provider + ": " + protocol + " " + client.getSession().getCipherSuite() + ", "
                + size + " bytes of plaintext in " + recordsPerWrap() + " record(s)");
    }

    @TearDown
    public void tearDown() {
        ReferenceCountUtil.release(client);
        ReferenceCountUtil.release(server);
        ReferenceCountUtil.release(clientContext);
        ReferenceCountUtil.release(serverContext);
    }

    @Benchmark
    public int wrapUnwrap(ByteCounter counter) throws SSLException {
        int produced = passPlaintext();
        counter.bytes += produced;
        return produced;
    }

    /**
     * Wraps {@link #plaintext} on the client and unwraps the result on the server into {@link #received}; returns the
     * plaintext bytes that came out. BoringSSL puts up to 16384 bytes in one record; the JDK's TLS 1.3 only 16367
     * (so that the ciphertext fits in 2<sup>14</sup> bytes), so at {@code size=16384} it writes a second, 17-byte
     * record, as it would in a gateway.
     */
    private int passPlaintext() throws SSLException {
        plaintext.clear();
        network.clear();
        while (plaintext.hasRemaining()) {
            SSLEngineResult wrapped = client.wrap(plaintext, network);
            if (wrapped.getStatus() != Status.OK || wrapped.bytesConsumed() == 0) {
                throw new IllegalStateException("wrap stopped with " + plaintext.remaining() + " bytes left: " + wrapped);
            }
        }
        network.flip();
        received.clear();
        while (network.hasRemaining()) {
            SSLEngineResult unwrapped = server.unwrap(network, received);
            if (unwrapped.getStatus() != Status.OK || unwrapped.bytesConsumed() == 0) {
                throw new IllegalStateException("unwrap stopped with " + network.remaining() + " bytes left: "
                        + unwrapped);
            }
        }
        return received.position();
    }

    /** How many records {@link #passPlaintext()} writes for one plaintext of {@link #size} bytes. */
    private int recordsPerWrap() throws SSLException {
        plaintext.clear();
        network.clear();
        int records = 0;
        while (plaintext.hasRemaining()) {
            client.wrap(plaintext, network);
            records++;
        }
        network.flip();
        received.clear();
        while (network.hasRemaining()) {
            server.unwrap(network, received);
        }
        return records;
    }

    /**
     * Runs the handshake by moving each side's output to the other until a round moves nothing, neither side is
     * handshaking and nothing is left in flight (TLS 1.3 tickets sent after the handshake included). Input an engine
     * cannot take yet (it has to send first) stays in its buffer for the next round.
     */
    private void handshake(ByteBuffer serverToClient, ByteBuffer scratch) throws SSLException {
        ByteBuffer clientToServer = network;
        clientToServer.clear();
        serverToClient.clear();
        ByteBuffer empty = ByteBuffer.allocateDirect(0);
        client.beginHandshake();
        server.beginHandshake();
        for (int round = 0; round < MAX_HANDSHAKE_ROUNDS; round++) {
            boolean progress = wrapAll(client, empty, clientToServer);
            progress |= unwrapAll(server, clientToServer, scratch);
            progress |= wrapAll(server, empty, serverToClient);
            progress |= unwrapAll(client, serverToClient, scratch);
            boolean inFlight = clientToServer.position() > 0 || serverToClient.position() > 0;
            if (!progress) {
                if (!inFlight && isDone(client) && isDone(server)) {
                    return;
                }
                throw new IllegalStateException("the " + provider + " handshake is stuck: client "
                        + client.getHandshakeStatus() + ", server " + server.getHandshakeStatus() + ", "
                        + clientToServer.position() + " bytes to the server and " + serverToClient.position()
                        + " to the client in flight");
            }
        }
        throw new IllegalStateException("the " + provider + " handshake did not finish in " + MAX_HANDSHAKE_ROUNDS
                + " rounds: client " + client.getHandshakeStatus() + ", server " + server.getHandshakeStatus());
    }

    private static boolean isDone(SSLEngine engine) {
        return engine.getHandshakeStatus() == HandshakeStatus.NOT_HANDSHAKING
                && !engine.isInboundDone() && !engine.isOutboundDone();
    }

    /** Appends to {@code out} (in write mode) all the engine has to send now; whether anything happened. */
    private static boolean wrapAll(SSLEngine engine, ByteBuffer empty, ByteBuffer out) throws SSLException {
        boolean progress = false;
        while (true) {
            SSLEngineResult result = engine.wrap(empty, out);
            checkOpen(engine, result);
            boolean ranTasks = runTasks(engine, result);
            if (result.getStatus() == Status.BUFFER_OVERFLOW || result.bytesProduced() == 0 && !ranTasks) {
                return progress; // Full, or nothing more to send now.
            }
            progress = true;
        }
    }

    /**
     * Feeds {@code in} (in write mode) to the engine for as long as it takes any, and keeps the rest in {@code in};
     * whether anything happened. Handshake messages produce no application data.
     */
    private static boolean unwrapAll(SSLEngine engine, ByteBuffer in, ByteBuffer scratch) throws SSLException {
        boolean progress = false;
        in.flip();
        try {
            while (in.hasRemaining()) {
                scratch.clear();
                SSLEngineResult result = engine.unwrap(in, scratch);
                checkOpen(engine, result);
                boolean ranTasks = runTasks(engine, result);
                if (result.bytesConsumed() == 0 && !ranTasks) {
                    return progress; // It has to send first, or a record is incomplete.
                }
                progress = true;
            }
            return progress;
        } finally {
            in.compact();
        }
    }

    private static boolean runTasks(SSLEngine engine, SSLEngineResult result) {
        if (result.getHandshakeStatus() != HandshakeStatus.NEED_TASK) {
            return false;
        }
        Runnable task;
        while ((task = engine.getDelegatedTask()) != null) {
            task.run();
        }
        return true;
    }

    private static void checkOpen(SSLEngine engine, SSLEngineResult result) {
        if (result.getStatus() == Status.CLOSED) {
            throw new IllegalStateException((engine.getUseClientMode() ? "client" : "server")
                    + " engine closed during the handshake: " + result);
        }
    }
}
