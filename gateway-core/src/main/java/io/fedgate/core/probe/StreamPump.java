package io.fedgate.core.probe;

import static java.util.Objects.requireNonNull;

import java.net.InetSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

import io.fedgate.core.trust.X509Svids;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.ssl.SniCompletionEvent;
import io.netty.handler.ssl.SslCloseCompletionEvent;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;

/**
 * The last handler of a digesting test connection, on either side: digests every byte read, and either sends
 * {@code bytesToSend} bytes of a {@link PseudoRandomBytes} stream or echoes what it reads, then ends its output as
 * its {@link HalfClose} says. The connection is closed once both directions have ended; when it is inactive, one
 * {@link ConnectionReport} goes to the listener.
 *
 * <p>Writes are writability-driven: a chunk is written and flushed while the channel is writable, and
 * {@code channelWritabilityChanged} resumes. The echo turns auto-read off while the channel is not writable. Over
 * TLS, sending starts once the handshake succeeded, so that nothing is written before an {@code SslHandler} is in
 * the pipeline (a server's {@code SniHandler} adds it only after reading the ClientHello).
 *
 * <p>All state is confined to the channel's event loop; the report is handed over as an immutable value.
 */
final class StreamPump extends ChannelInboundHandlerAdapter {
    /** Size of each generated write. */
    static final int CHUNK_SIZE = 64 * 1024;

    private final boolean echo;
    private final long bytesToSend;
    private final PseudoRandomBytes random;
    private final HalfClose halfClose;
    private final boolean tls;
    private final long deadlineNanos;
    private final long startNanos;
    private final Consumer<ConnectionReport> listener;

    private final StreamDigest sent = new StreamDigest();
    private final StreamDigest received = new StreamDigest();
    private byte[] scratch;
    private long generated;
    private long written;
    private ChannelFuture lastWrite;
    private boolean sending;
    private boolean outputEnding;
    private boolean outputEnded;
    private boolean inputEnded;
    private boolean closeNotifyReceived;
    private boolean closeNotifySent;
    private boolean timedOut;
    private boolean reported;
    private HandshakeOutcome handshake;
    private String sni;
    private Throwable cause;
    private InetSocketAddress localAddress;
    private InetSocketAddress remoteAddress;
    private ScheduledFuture<?> timeoutTask;
    private long pauseAt = -1;
    private CompletableFuture<Void> pauseReached;
    private CompletionStage<?> resume;
    private boolean resumed;

    private StreamPump(boolean echo, long bytesToSend, long seed, HalfClose halfClose, boolean tls, Duration timeout,
                       Consumer<ConnectionReport> listener) {
        if (bytesToSend < 0) {
            throw new IllegalArgumentException("bytesToSend: " + bytesToSend + " (expected: >= 0)");
        }
        this.echo = echo;
        this.bytesToSend = bytesToSend;
        this.random = new PseudoRandomBytes(seed);
        this.halfClose = requireNonNull(halfClose, "halfClose");
        this.tls = tls;
        this.startNanos = System.nanoTime();
        this.deadlineNanos = timeout == null ? 0 : startNanos + timeout.toNanos();
        this.listener = requireNonNull(listener, "listener");
    }

    /** Sends {@code bytesToSend} bytes of the stream for {@code seed}; {@code timeout} null for none. */
    static StreamPump sending(long bytesToSend, long seed, HalfClose halfClose, boolean tls, Duration timeout,
                              Consumer<ConnectionReport> listener) {
        return new StreamPump(false, bytesToSend, seed, halfClose, tls, timeout, listener);
    }

    /** Echoes what it reads; ends its output once the far side ended its own and every echo was written. */
    static StreamPump echoing(HalfClose halfClose, boolean tls, Duration timeout,
                              Consumer<ConnectionReport> listener) {
        return new StreamPump(true, 0, 0, halfClose, tls, timeout, listener);
    }

    /**
     * Sends the first {@code bytes} bytes, completes {@code reached} once they are written, and sends the rest only
     * after {@code resume} completes: a connection kept in flight while a test does something to the gateway.
     */
    void pauseAfter(long bytes, CompletableFuture<Void> reached, CompletionStage<?> resume) {
        if (bytes < 0 || bytes > bytesToSend) {
            throw new IllegalArgumentException("bytes: " + bytes + " (expected: 0-" + bytesToSend + ")");
        }
        this.pauseAt = bytes;
        this.pauseReached = requireNonNull(reached, "reached");
        this.resume = requireNonNull(resume, "resume");
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        localAddress = (InetSocketAddress) ctx.channel().localAddress();
        remoteAddress = (InetSocketAddress) ctx.channel().remoteAddress();
        if (deadlineNanos != 0) {
            long delay = Math.max(0, deadlineNanos - System.nanoTime());
            timeoutTask = ctx.executor().schedule(() -> {
                timedOut = true;
                ctx.close();
            }, delay, TimeUnit.NANOSECONDS);
        }
        if (!tls) {
            startSending(ctx);
        }
        super.channelActive(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        ByteBuf data = (ByteBuf) msg;
        try {
            received.update(data);
        } catch (RuntimeException e) {
            data.release();
            throw e;
        }
        if (!echo || outputEnding) {
            data.release();
            return;
        }
        int length = data.readableBytes();
        sent.update(data);
        // Ownership of data passes to the outbound side, which releases it once written or failed.
        lastWrite = ctx.write(data).addListener(counting(ctx, length));
        if (!ctx.channel().isWritable()) {
            ctx.channel().config().setAutoRead(false);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
        if (echo) {
            ctx.flush();
        }
        super.channelReadComplete(ctx);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
        if (ctx.channel().isWritable()) {
            if (echo) {
                ctx.channel().config().setAutoRead(true);
            } else {
                sendMore(ctx);
            }
        }
        super.channelWritabilityChanged(ctx);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof ChannelInputShutdownEvent) {
            endOfInput(ctx);
        } else if (evt instanceof SslCloseCompletionEvent) {
            if (((SslCloseCompletionEvent) evt).isSuccess() && !closeNotifySent) {
                closeNotifyReceived = true;
                endOfInput(ctx);
            }
        } else if (evt instanceof SniCompletionEvent) {
            sni = ((SniCompletionEvent) evt).hostname();
        } else if (evt instanceof SslHandshakeCompletionEvent) {
            SslHandshakeCompletionEvent completion = (SslHandshakeCompletionEvent) evt;
            if (completion.isSuccess()) {
                handshake = succeeded(ctx.pipeline().get(SslHandler.class));
                startSending(ctx);
            } else {
                handshake = HandshakeOutcome.failure(completion.cause());
                fail(ctx, completion.cause());
            }
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable t) {
        // The last handler: record and close, so nothing reaches the tail as "unhandled".
        fail(ctx, t);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        report();
        super.channelInactive(ctx);
    }

    /** Setting up the channel failed with {@code e}; the connect fails next, and reports this cause. */
    void initFailed(Throwable e) {
        if (cause == null) {
            cause = e;
        }
    }

    /**
     * The connection never opened: reports {@link Ending#CONNECT_FAILED}, or {@link Ending#RESET} when the server
     * accepted and reset it before Netty finished the connect. Call on the event loop.
     */
    void connectFailed(Throwable connectCause) {
        if (cause == null) {
            cause = connectCause;
        }
        report(Ending.isReset(connectCause) ? Ending.RESET : Ending.CONNECT_FAILED);
    }

    private void startSending(ChannelHandlerContext ctx) {
        if (sending) {
            return;
        }
        sending = true;
        if (resume != null) {
            resume.whenComplete((ignored, failure) -> ctx.executor().execute(() -> {
                resumed = true;
                sendMore(ctx);
            }));
            if (pauseAt == 0) {
                pauseReached.complete(null);
            }
        }
        if (!echo) {
            sendMore(ctx);
        }
    }

    private void sendMore(ChannelHandlerContext ctx) {
        if (!sending || outputEnding || !ctx.channel().isActive()) {
            return;
        }
        long limit = pauseAt >= 0 && !resumed ? pauseAt : bytesToSend;
        while (generated < limit && ctx.channel().isWritable()) {
            int length = (int) Math.min(CHUNK_SIZE, limit - generated);
            if (scratch == null) {
                scratch = new byte[CHUNK_SIZE];
            }
            random.next(scratch, 0, length);
            sent.update(scratch, 0, length);
            ByteBuf chunk = ctx.alloc().directBuffer(length);
            chunk.writeBytes(scratch, 0, length);
            generated += length;
            // Ownership of chunk passes to the outbound side, which releases it once written or failed.
            lastWrite = ctx.writeAndFlush(chunk).addListener(counting(ctx, length));
        }
        if (generated == bytesToSend) {
            endOutputAfterLastWrite(ctx);
        }
    }

    private ChannelFutureListener counting(ChannelHandlerContext ctx, int length) {
        return future -> {
            if (future.isSuccess()) {
                written += length;
                if (pauseReached != null && written >= pauseAt) {
                    pauseReached.complete(null);
                }
            } else {
                fail(ctx, future.cause());
            }
        };
    }

    private void endOfInput(ChannelHandlerContext ctx) {
        if (inputEnded) {
            return;
        }
        inputEnded = true;
        if (tls && handshake == null) {
            // The far side ended before TLS was up (a refusal): a half-closed channel would otherwise wait for the
            // handshake timeout. Closing makes the SslHandler fail the handshake as "closed while in progress".
            ctx.close();
            return;
        }
        if (echo) {
            ctx.flush();
            endOutputAfterLastWrite(ctx);
        }
        closeIfDone(ctx);
    }

    private void endOutputAfterLastWrite(ChannelHandlerContext ctx) {
        if (outputEnding) {
            return;
        }
        outputEnding = true;
        if (lastWrite == null) {
            endOutput(ctx);
        } else {
            // Listeners run in the order added, so the counting listener has run when this one does.
            lastWrite.addListener(future -> {
                if (future.isSuccess()) {
                    endOutput(ctx);
                }
            });
        }
    }

    private void endOutput(ChannelHandlerContext ctx) {
        SslHandler ssl = ctx.pipeline().get(SslHandler.class);
        if (halfClose == HalfClose.NONE) {
            outputEnded = true;
            closeIfDone(ctx);
        } else if (halfClose == HalfClose.CLOSE_NOTIFY && ssl != null) {
            closeNotifySent = true;
            ssl.closeOutbound().addListener(future -> {
                if (future.isSuccess()) {
                    shutdownOutput(ctx);
                } else {
                    fail(ctx, future.cause());
                }
            });
        } else {
            shutdownOutput(ctx);
        }
    }

    private void shutdownOutput(ChannelHandlerContext ctx) {
        // Channel.shutdownOutput() bypasses the pipeline: over TLS this is a bare FIN, no close_notify.
        ((DuplexChannel) ctx.channel()).shutdownOutput().addListener(future -> {
            if (future.isSuccess()) {
                outputEnded = true;
                closeIfDone(ctx);
            } else {
                fail(ctx, future.cause());
            }
        });
    }

    private void closeIfDone(ChannelHandlerContext ctx) {
        if (inputEnded && outputEnded) {
            ctx.close();
        }
    }

    private void fail(ChannelHandlerContext ctx, Throwable t) {
        if (cause == null) {
            cause = t;
        }
        ctx.close();
    }

    private void report() {
        if (tls && handshake == null) {
            // Closed before any SslHandler finished (e.g. the SniHandler refused the first bytes).
            handshake = HandshakeOutcome.failure(cause != null ? cause : new ClosedChannelException());
        }
        Ending ending;
        if (timedOut) {
            ending = Ending.TIMEOUT;
        } else if (handshake != null && !handshake.isSuccess()) {
            ending = Ending.HANDSHAKE_FAILED;
        } else if (cause != null) {
            ending = Ending.isReset(cause) ? Ending.RESET : Ending.ERROR;
        } else if (inputEnded) {
            ending = Ending.EOF;
        } else {
            ending = Ending.CLOSED;
        }
        report(ending);
    }

    private void report(Ending ending) {
        if (reported) {
            return;
        }
        reported = true;
        if (timeoutTask != null) {
            timeoutTask.cancel(false);
        }
        listener.accept(new ConnectionReport(localAddress, remoteAddress, written, sent.sha256Hex(),
                received.bytes(), received.sha256Hex(), outputEnded, inputEnded, closeNotifyReceived, handshake, sni,
                ending, cause, Duration.ofNanos(System.nanoTime() - startNanos)));
    }

    private static HandshakeOutcome succeeded(SslHandler ssl) {
        SSLSession session = ssl.engine().getSession();
        try {
            Certificate[] peer = session.getPeerCertificates();
            return HandshakeOutcome.success(X509Svids.spiffeId((X509Certificate) peer[0]), session.getProtocol());
        } catch (SSLPeerUnverifiedException e) {
            return HandshakeOutcome.withoutPeer(session.getProtocol());
        } catch (Exception e) {
            // The peer's certificate has no usable SPIFFE ID (only a permissive trust manager lets that through).
            return HandshakeOutcome.failure(e);
        }
    }
}
