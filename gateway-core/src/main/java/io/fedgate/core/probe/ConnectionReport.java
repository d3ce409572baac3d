package io.fedgate.core.probe;

import static java.util.Objects.requireNonNull;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;

import io.fedgate.core.spiffe.SpiffeId;

/**
 * What one side of a finished test connection saw: bytes and SHA-256 of each direction, how each direction ended,
 * the TLS handshake, and how the connection ended. "Sent" and "received" are from the reporting side's view:
 * a {@link TrafficClient}'s sent bytes are its {@link DigestingBackend}'s received bytes.
 *
 * <p>{@link #bytesSent()} counts bytes whose write succeeded; {@link #sha256Sent()} covers every byte handed to
 * the channel, so the two describe the same bytes whenever {@link #outputEnded()} is true.
 */
public final class ConnectionReport {
    private final InetSocketAddress localAddress;
    private final InetSocketAddress remoteAddress;
    private final long bytesSent;
    private final String sha256Sent;
    private final long bytesReceived;
    private final String sha256Received;
    private final boolean outputEnded;
    private final boolean inputEnded;
    private final boolean closeNotifyReceived;
    private final HandshakeOutcome handshake;
    private final String sni;
    private final Ending ending;
    private final Throwable cause;
    private final Duration duration;

    ConnectionReport(InetSocketAddress localAddress, InetSocketAddress remoteAddress, long bytesSent,
                     String sha256Sent, long bytesReceived, String sha256Received, boolean outputEnded,
                     boolean inputEnded, boolean closeNotifyReceived, HandshakeOutcome handshake, String sni,
                     Ending ending, Throwable cause, Duration duration) {
        this.localAddress = localAddress;
        this.remoteAddress = remoteAddress;
        this.bytesSent = bytesSent;
        this.sha256Sent = requireNonNull(sha256Sent, "sha256Sent");
        this.bytesReceived = bytesReceived;
        this.sha256Received = requireNonNull(sha256Received, "sha256Received");
        this.outputEnded = outputEnded;
        this.inputEnded = inputEnded;
        this.closeNotifyReceived = closeNotifyReceived;
        this.handshake = handshake;
        this.sni = sni;
        this.ending = requireNonNull(ending, "ending");
        this.cause = cause;
        this.duration = requireNonNull(duration, "duration");
    }

    /** This side's address; {@code null} if the connection never opened. */
    public InetSocketAddress localAddress() {
        return localAddress;
    }

    /** The far side's address; {@code null} if the connection never opened. */
    public InetSocketAddress remoteAddress() {
        return remoteAddress;
    }

    /** Application bytes whose write succeeded (before TLS). */
    public long bytesSent() {
        return bytesSent;
    }

    /** SHA-256 (lowercase hex) of the application bytes sent. */
    public String sha256Sent() {
        return sha256Sent;
    }

    /** Application bytes received (after TLS). */
    public long bytesReceived() {
        return bytesReceived;
    }

    /** SHA-256 (lowercase hex) of the application bytes received. */
    public String sha256Received() {
        return sha256Received;
    }

    /**
     * Whether this side sent everything it meant to and then ended its output as its {@link HalfClose} says
     * (with {@link HalfClose#NONE}: sent everything).
     */
    public boolean outputEnded() {
        return outputEnded;
    }

    /**
     * Whether the far side ended its output before the connection closed: a TCP FIN (Netty's
     * {@code ChannelInputShutdownEvent}) or a TLS {@code close_notify}. For a backend, this is "saw the client's
     * half-close".
     */
    public boolean inputEnded() {
        return inputEnded;
    }

    /**
     * Whether the far side's output ended with a TLS {@code close_notify} (Netty's
     * {@code SslCloseCompletionEvent.SUCCESS}) rather than a bare FIN. Not recorded after this side sent its own
     * {@code close_notify}, when netty-tcnative fires that event by itself (see {@link HalfClose}).
     */
    public boolean closeNotifyReceived() {
        return closeNotifyReceived;
    }

    /** How the TLS handshake ended; empty for plain TCP or when the connection never reached it. */
    public Optional<HandshakeOutcome> handshake() {
        return Optional.ofNullable(handshake);
    }

    /** The SPIFFE ID the far side presented in a successful handshake. */
    public Optional<SpiffeId> peer() {
        return handshake != null && handshake.isSuccess() && handshake.hasPeer() ? Optional.of(handshake.peer())
                : Optional.empty();
    }

    /** The SNI host name a TLS server read from the ClientHello; empty for clients, plain TCP and no SNI. */
    public Optional<String> sni() {
        return Optional.ofNullable(sni);
    }

    /** How the connection ended. */
    public Ending ending() {
        return ending;
    }

    /** The first exception seen on the connection, if any. */
    public Optional<Throwable> cause() {
        return Optional.ofNullable(cause);
    }

    /** From the start (connect or accept) until the connection closed. */
    public Duration duration() {
        return duration;
    }

    @Override
    public String toString() {
        return "ConnectionReport{" + ending
                + ", sent " + bytesSent + " (" + shortHash(sha256Sent) + (outputEnded ? ", ended" : "") + ")"
                + ", received " + bytesReceived + " (" + shortHash(sha256Received)
                + (inputEnded ? (closeNotifyReceived ? ", close_notify" : ", eof") : "") + ")"
                + (handshake != null ? ", handshake " + handshake : "")
                + (sni != null ? ", sni " + sni : "")
                + (cause != null ? ", cause " + cause : "")
                + ", " + duration.toMillis() + " ms"
                + (remoteAddress != null ? ", " + localAddress + " -> " + remoteAddress : "") + "}";
    }

    private static String shortHash(String hex) {
        return hex.substring(0, 12);
    }
}
