package io.fedgate.core.probe;

/**
 * How one side of a test connection ends its output once it has sent everything, while it keeps reading.
 *
 * <p>Over plain TCP only {@link #SHUTDOWN_OUTPUT} and {@link #NONE} differ. Over TLS the choice matters, because
 * Netty's {@code SslHandler} has no half-close of its own: {@code DuplexChannel.shutdownOutput()} bypasses the
 * pipeline and sends a bare TCP FIN, and {@code SslHandler.closeOutbound()} sends a {@code close_notify} after which
 * the engine writes nothing more. Observed with Netty 4.2 and netty-tcnative 2.0 (BoringSSL), both providers on
 * either side, TLS 1.2 and 1.3 ({@code TrafficClientTest} keeps the combinations that work):
 * <ul>
 *   <li>{@link #SHUTDOWN_OUTPUT}: the far side sees {@code ChannelInputShutdownEvent} (no {@code close_notify}) and
 *       can go on sending; everything arrives, in every combination.</li>
 *   <li>{@link #CLOSE_NOTIFY}: the far side sees {@code SslCloseCompletionEvent.SUCCESS} and can go on sending (both
 *       providers, even under TLS 1.2). But on a side using netty-tcnative, once its own {@code close_notify} is
 *       flushed the engine reports {@code CLOSED} from every unwrap, so its {@code SslHandler} fires
 *       {@code SslCloseCompletionEvent.SUCCESS} at once, although the peer closed nothing (this class ignores that
 *       event after sending its own {@code close_notify}); and the last record or so that the far side sends before
 *       its FIN is never delivered: the received bytes are a strict prefix, about 16 KiB short. With the JDK
 *       provider on the sending side, everything arrives.</li>
 * </ul>
 */
public enum HalfClose {
    /**
     * TCP half-close: {@code DuplexChannel.shutdownOutput()} after the last byte was written; over TLS a FIN with no
     * {@code close_notify} before it. The default, and the only choice that behaves the same with every provider.
     */
    SHUTDOWN_OUTPUT,
    /**
     * Over TLS, {@code SslHandler.closeOutbound()} (a {@code close_notify}), then a TCP FIN once it is written; over
     * plain TCP the same as {@link #SHUTDOWN_OUTPUT}. Loses inbound data on a netty-tcnative sender (see above).
     */
    CLOSE_NOTIFY,
    /** No half-close: the output stays open until the far side ends its output, then the connection is closed. */
    NONE
}
