package io.fedgate.core.probe;

import java.io.IOException;
import java.util.Locale;

/** How a test connection ended, from the side that reports it. */
public enum Ending {
    /** The far side ended its output cleanly (TCP FIN or TLS {@code close_notify}) and nothing failed. */
    EOF,
    /** The far side reset the connection (read or write failed with "connection reset" or "broken pipe"). */
    RESET,
    /** The reporting side gave up waiting and closed the connection. */
    TIMEOUT,
    /** The TLS handshake failed (either side refused, or the connection ended during it). */
    HANDSHAKE_FAILED,
    /** The connection could not be opened (refused, unreachable; a reset during the connect is {@link #RESET}). Clients only. */
    CONNECT_FAILED,
    /** The reporting side closed the connection before the far side ended its output (e.g. its owner closed). */
    CLOSED,
    /** Any other failure; see the report's cause. */
    ERROR;

    /** Whether {@code cause} (or a cause of it) is a reset or broken pipe, as the JDK words them on Linux. */
    public static boolean isReset(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof IOException && t.getMessage() != null) {
                String message = t.getMessage().toLowerCase(Locale.ROOT);
                if (message.contains("connection reset") || message.contains("broken pipe")) {
                    return true;
                }
            }
        }
        return false;
    }
}
