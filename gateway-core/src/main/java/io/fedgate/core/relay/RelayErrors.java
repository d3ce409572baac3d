package io.fedgate.core.relay;

import java.net.ConnectException;
import java.nio.channels.ClosedChannelException;

import io.netty.channel.ConnectTimeoutException;

/** Short, log-friendly descriptions of the I/O errors a relay meets. */
public final class RelayErrors {
    private RelayErrors() {
    }

    /** E.g. {@code connection refused}, {@code connect timeout}, else the exception's own message. */
    public static String describe(Throwable cause) {
        if (cause instanceof ConnectTimeoutException) {
            return "connect timeout";
        }
        if (cause instanceof ConnectException) {
            String message = cause.getMessage();
            if (message != null && message.toLowerCase(java.util.Locale.ROOT).contains("refused")) {
                return "connection refused";
            }
            return message == null ? "connect failed" : message;
        }
        if (cause instanceof ClosedChannelException) {
            return "closed";
        }
        String message = cause.getMessage();
        return message == null ? cause.getClass().getSimpleName() : message;
    }
}
