package io.fedgate.bench;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.ssl.AbstractSniHandler;
import io.netty.handler.ssl.ReferenceCountedOpenSslEngine;
import io.netty.handler.ssl.SslContext;
import io.netty.internal.tcnative.SSL;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;

import io.fedgate.core.cli.CommandLine;
import io.fedgate.core.cli.GatewayOptions;
import io.fedgate.core.routing.SniName;
import io.fedgate.core.demo.Mesh;
import io.fedgate.core.testing.FederationPki;
import io.fedgate.core.tls.SslContexts;
import io.fedgate.core.tls.TlsProvider;

/**
 * Cost of reading the server name out of a ClientHello, which the ingress does on every accepted connection before
 * it can route it: a fresh {@link AbstractSniHandler} (the base of the ingress's {@code IngressSniHandler}) is added
 * to a pipeline, the ClientHello arrives as one read, the handler buffers it, extracts the name, completes its lookup
 * at once, cancels its handshake timeout and removes itself, handing the untouched bytes on. Only the route-table
 * lookup is left out. {@link #parseSniName()} is the next step, turning the name into an {@link SniName}.
 *
 * <p>The ClientHello is a real one, made once at setup by a BoringSSL client engine of green's egress (as
 * {@code SslContexts} builds it) naming {@value #SERVER_NAME}, Istio's cluster form with underscores, which
 * the JDK's {@code SNIHostName} rejects, so it is set on the native SSL directly. Without OpenSSL the JDK client
 * names {@value #FALLBACK_SERVER_NAME} instead. One {@code EmbeddedChannel} is reused so that its construction is
 * not measured.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class SniExtractionBenchmark {
    /** What an Istio sidecar names when calling an exported service through the egress. */
    static final String SERVER_NAME = "outbound_.9080_._.ratings.bookinfo.svc.green-mesh-exports.local";
    /** What the JDK can name, used only when BoringSSL is not available. */
    static final String FALLBACK_SERVER_NAME = "ratings.bookinfo.svc.green-mesh-exports.local";
    /** The gateways' default {@code --handshake-timeout}, which the SNI handler schedules and cancels. */
    private static final long HANDSHAKE_TIMEOUT_MILLIS =
            CommandLine.parseDuration(GatewayOptions.DEFAULT_HANDSHAKE_TIMEOUT).toMillis();

    private String expectedName;
    /** The ClientHello as a socket read would deliver it: a pooled direct buffer, duplicated for every invocation. */
    private ByteBuf clientHello;
    private EmbeddedChannel channel;

    @Setup
    public void setUp() throws SSLException {
        boolean openSsl = TlsProvider.OPENSSL.isAvailable();
        expectedName = openSsl ? SERVER_NAME : FALLBACK_SERVER_NAME;
        clientHello = firstFlight(openSsl ? TlsProvider.OPENSSL : TlsProvider.JDK, expectedName);
        channel = new EmbeddedChannel();
        String extracted = extractServerName();
        if (!expectedName.equals(extracted)) {
            throw new IllegalStateException("extracted server name " + extracted + ", expected " + expectedName
                    + " (ClientHello of " + clientHello.readableBytes() + " bytes)");
        }
        if (channel.pipeline().get(RecordingSniHandler.class) != null) {
            throw new IllegalStateException("the SNI handler did not remove itself: " + channel.pipeline().names());
        }
        checkAllReleased();
        System.out.println("# ClientHello: " + clientHello.readableBytes() + " bytes from a "
                + (openSsl ? TlsProvider.OPENSSL : TlsProvider.JDK) + " client naming " + expectedName);
    }

    @TearDown
    public void tearDown() {
        try {
            if (channel.finishAndReleaseAll()) {
                throw new IllegalStateException("messages were left in the channel");
            }
            checkAllReleased();
        } finally {
            clientHello.release();
        }
    }

    private void checkAllReleased() {
        // Duplicates share the ClientHello's reference count: 1 means every one written was released.
        if (clientHello.refCnt() != 1) {
            throw new IllegalStateException("ClientHello refCnt " + clientHello.refCnt() + " (expected: 1): a buffer leaked");
        }
    }

    @Benchmark
    public String extractServerName() {
        RecordingSniHandler handler = new RecordingSniHandler();
        channel.pipeline().addLast(RecordingSniHandler.NAME, handler);
        channel.writeInbound(clientHello.retainedDuplicate());
        // The handler removed itself and handed the ClientHello on, as the ingress hands it to TLS or the relay.
        ByteBuf handedOn = channel.readInbound();
        if (handedOn != null) {
            handedOn.release();
        }
        return handler.hostname;
    }

    @Benchmark
    public SniName parseSniName() {
        return SniName.parse(expectedName);
    }

    /** The first flight of a client engine of green's egress naming {@code serverName}, in a pooled direct buffer. */
    private static ByteBuf firstFlight(TlsProvider provider, String serverName) throws SSLException {
        FederationPki pki = FederationPki.create();
        Mesh red = pki.red();
        Mesh green = pki.green();
        SslContext context = SslContexts.forClient(green.egressIdentity(red), pki.bundles(),
                green.egressAuthorizer(red), provider);
        SSLEngine engine = context.newEngine(ByteBufAllocator.DEFAULT, serverName, 443);
        try {
            if (engine instanceof ReferenceCountedOpenSslEngine) {
                ReferenceCountedOpenSslEngine openSsl = (ReferenceCountedOpenSslEngine) engine;
                // Netty names only what SNIHostName accepts, and that refuses underscores: name it natively.
                synchronized (openSsl) {
                    SSL.setTlsExtHostName(openSsl.sslPointer(), serverName);
                }
            }
            engine.beginHandshake();
            ByteBuffer out = ByteBuffer.allocateDirect(engine.getSession().getPacketBufferSize());
            SSLEngineResult result = engine.wrap(ByteBuffer.allocateDirect(0), out);
            if (result.getStatus() != SSLEngineResult.Status.OK || result.bytesProduced() == 0) {
                throw new IllegalStateException("the client engine produced no ClientHello: " + result);
            }
            out.flip();
            ByteBuf hello = PooledByteBufAllocator.DEFAULT.directBuffer(out.remaining());
            hello.writeBytes(out);
            return hello;
        } finally {
            ReferenceCountUtil.release(engine);
            ReferenceCountUtil.release(context);
        }
    }

    /** Records the server name, completes the lookup at once and leaves the pipeline. */
    private static final class RecordingSniHandler extends AbstractSniHandler<String> {
        static final String NAME = "sni";

        String hostname;

        RecordingSniHandler() {
            super(GatewayOptions.DEFAULT_MAX_CLIENT_HELLO, HANDSHAKE_TIMEOUT_MILLIS);
        }

        @Override
        protected Future<String> lookup(ChannelHandlerContext ctx, String hostname) {
            return ctx.executor().newSucceededFuture(hostname);
        }

        @Override
        protected void onLookupComplete(ChannelHandlerContext ctx, String hostname, Future<String> future) {
            this.hostname = hostname;
            // Removal hands the buffered ClientHello to the next handler.
            ctx.pipeline().remove(this);
        }
    }
}
