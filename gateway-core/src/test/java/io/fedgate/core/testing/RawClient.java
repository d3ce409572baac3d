package io.fedgate.core.testing;

import static java.util.Objects.requireNonNull;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.OptionalInt;
import io.fedgate.core.probe.Ending;

/**
 * A blocking socket client for negative tests: sends arbitrary bytes (plaintext, a truncated or oversized
 * ClientHello from {@link ClientHelloBuilder}, nothing at all) and reports how and when the server ended the
 * connection, with whatever it sent back.
 *
 * <pre>{@code
 * RawClient.Result result = RawClient.to(ingress).send("GET / HTTP/1.1\r\n\r\n").await(Duration.ofSeconds(5));
 * assertThat(result.closure()).isIn(RawClient.Closure.EOF, RawClient.Closure.RESET);
 * assertThat(result.closedAfter()).isLessThan(Duration.ofSeconds(1));
 * }</pre>
 *
 * <p>Note for assertions: a Linux server that closes a socket with unread input sends RST, not FIN, so "the server
 * closed" usually means {@link Closure#EOF} <em>or</em> {@link Closure#RESET}.
 */
public final class RawClient {
    /** How long connecting may take. */
    public static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    /** Received bytes kept in a result by default; more are counted, not kept. */
    public static final int DEFAULT_READ_LIMIT = 1 << 20;
    private static final int WRITE_CHUNK = 16 * 1024;

    private final InetSocketAddress address;
    private byte[] bytes = new byte[0];
    private boolean halfClose;
    private int readLimit = DEFAULT_READ_LIMIT;

    private RawClient(InetSocketAddress address) {
        this.address = address;
    }

    /** A connection to {@code address} that sends nothing, keeps its output open, and keeps 1 MiB of what it reads. */
    public static RawClient to(InetSocketAddress address) {
        return new RawClient(requireNonNull(address, "address"));
    }

    /** The bytes to send once connected. */
    public RawClient send(byte[] bytes) {
        this.bytes = requireNonNull(bytes, "bytes").clone();
        return this;
    }

    /** {@code text} as ASCII. */
    public RawClient send(String text) {
        return send(requireNonNull(text, "text").getBytes(StandardCharsets.US_ASCII));
    }

    /** Shut the output down (FIN) after sending, instead of keeping it open. */
    public RawClient thenHalfClose() {
        this.halfClose = true;
        return this;
    }

    /** How many received bytes to keep; default {@link #DEFAULT_READ_LIMIT}. */
    public RawClient readLimit(int limit) {
        if (limit < 0) {
            throw new IllegalArgumentException("readLimit: " + limit + " (expected: >= 0)");
        }
        this.readLimit = limit;
        return this;
    }

    /**
     * Connects, sends, and reads until the server closes or {@code wait} has passed since the sending ended.
     * Never throws for what the server does; the result says it.
     */
    public Result await(Duration wait) {
        requireNonNull(wait, "wait");
        long start = System.nanoTime();
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        long receivedCount = 0;
        int written = 0;
        try (Socket socket = new Socket()) {
            try {
                socket.connect(address, (int) CONNECT_TIMEOUT.toMillis());
            } catch (IOException e) {
                // A server that accepts and resets at once can fail the connect itself with a reset.
                return new Result(Ending.isReset(e) ? Closure.RESET : Closure.REFUSED, new byte[0], 0, 0, null, e,
                        Duration.ZERO,
                        Duration.ofNanos(System.nanoTime() - start));
            }
            IOException sendFailure = null;
            try {
                OutputStream out = socket.getOutputStream();
                while (written < bytes.length) {
                    int length = Math.min(WRITE_CHUNK, bytes.length - written);
                    out.write(bytes, written, length);
                    written += length;
                }
                out.flush();
                if (halfClose) {
                    socket.shutdownOutput();
                }
            } catch (IOException e) {
                sendFailure = e;
            }
            long sent = System.nanoTime();
            long deadline = sent + wait.toNanos();
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[16 * 1024];
            while (true) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return result(Closure.STILL_OPEN, received, receivedCount, written, sendFailure, null, sent, start);
                }
                socket.setSoTimeout((int) Math.max(1, left / 1_000_000));
                int n;
                try {
                    n = in.read(buffer);
                } catch (SocketTimeoutException e) {
                    continue;
                } catch (IOException e) {
                    Closure closure = Ending.isReset(e) ? Closure.RESET : Closure.ERROR;
                    return result(closure, received, receivedCount, written, sendFailure, e, sent, start);
                }
                if (n < 0) {
                    return result(Closure.EOF, received, receivedCount, written, sendFailure, null, sent, start);
                }
                receivedCount += n;
                int keep = Math.min(n, Math.max(0, readLimit - received.size()));
                received.write(buffer, 0, keep);
            }
        } catch (IOException e) {
            // Only close() of the socket gets here.
            return new Result(Closure.ERROR, received.toByteArray(), receivedCount, written, null, e, Duration.ZERO,
                    Duration.ofNanos(System.nanoTime() - start));
        }
    }

    private static Result result(Closure closure, ByteArrayOutputStream received, long receivedCount, int written,
                                 IOException sendFailure, IOException readFailure, long sent, long start) {
        long now = System.nanoTime();
        // A failed send (the server stopped reading and reset) is kept apart; reading then tells how it ended.
        return new Result(closure, received.toByteArray(), receivedCount, written, sendFailure,
                readFailure, Duration.ofNanos(now - sent), Duration.ofNanos(now - start));
    }

    /** How the connection ended. */
    public enum Closure {
        /** The server closed its output (FIN). */
        EOF,
        /** The server reset the connection (RST), while we connected, wrote or read. */
        RESET,
        /** Still open when the wait was over (the client then closed it). */
        STILL_OPEN,
        /** The connection could not be opened. */
        REFUSED,
        /** Reading failed otherwise; see {@link Result#failure()}. */
        ERROR
    }

    /** What one raw connection saw. */
    public static final class Result {
        private final Closure closure;
        private final byte[] received;
        private final long receivedCount;
        private final int bytesWritten;
        private final IOException sendFailure;
        private final IOException failure;
        private final Duration closedAfter;
        private final Duration duration;

        Result(Closure closure, byte[] received, long receivedCount, int bytesWritten, IOException sendFailure,
               IOException failure, Duration closedAfter, Duration duration) {
            this.closure = closure;
            this.received = received;
            this.receivedCount = receivedCount;
            this.bytesWritten = bytesWritten;
            this.sendFailure = sendFailure;
            this.failure = failure;
            this.closedAfter = closedAfter;
            this.duration = duration;
        }

        /** How the connection ended. */
        public Closure closure() {
            return closure;
        }

        /** The bytes received, up to the read limit. */
        public byte[] received() {
            return received.clone();
        }

        /** The bytes received as ISO-8859-1 text (one char per byte). */
        public String receivedText() {
            return new String(received, StandardCharsets.ISO_8859_1);
        }

        /** How many bytes were received in all, kept or not. */
        public long receivedCount() {
            return receivedCount;
        }

        /** How many of the bytes to send were written before the connection failed (all, normally). */
        public int bytesWritten() {
            return bytesWritten;
        }

        /** Why sending failed (typically a reset by a server that stopped reading), if it did. */
        public IOException sendFailure() {
            return sendFailure;
        }

        /**
         * Why connecting or reading failed, for {@link Closure#REFUSED}, {@link Closure#RESET} and
         * {@link Closure#ERROR}; else {@code null}.
         */
        public IOException failure() {
            return failure;
        }

        /** From the end of sending until the server closed, or until the wait was over. */
        public Duration closedAfter() {
            return closedAfter;
        }

        /** From connecting until the end. */
        public Duration duration() {
            return duration;
        }

        /**
         * The description code of a TLS alert record at the start of what was received (e.g. 40 handshake_failure,
         * 47 illegal_parameter, 80 internal_error), if that is what the server sent.
         */
        public OptionalInt tlsAlert() {
            if (received.length >= 7 && received[0] == 0x15 && received[1] == 0x03) {
                return OptionalInt.of(received[6] & 0xFF);
            }
            return OptionalInt.empty();
        }

        /** Whether what was received starts with a TLS handshake record (a server answering a ClientHello). */
        public boolean startsWithHandshakeRecord() {
            return received.length >= 5 && received[0] == 0x16 && received[1] == 0x03;
        }

        @Override
        public String toString() {
            return "RawClient.Result{" + closure + " after " + closedAfter.toMillis() + " ms, received " + receivedCount
                    + (received.length > 0 ? " " + preview() : "") + ", wrote " + bytesWritten
                    + (sendFailure != null ? ", send failed: " + sendFailure : "")
                    + (failure != null ? ", read failed: " + failure : "") + "}";
        }

        private String preview() {
            byte[] head = Arrays.copyOf(received, Math.min(16, received.length));
            StringBuilder hex = new StringBuilder("[");
            for (byte b : head) {
                hex.append(String.format("%02x", b));
            }
            return hex.append(received.length > 16 ? "...]" : "]").toString();
        }
    }
}
