package io.fedgate.core.logging;

import java.util.logging.ConsoleHandler;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Process-wide logging set-up for the gateway processes: java.util.logging (which Netty also logs through
 * when no other backend is present) to stderr, one line per record. The level comes from the
 * {@code FEDGATE_LOG_LEVEL} environment variable ({@code debug}, {@code info}, {@code warn}, {@code error}).
 */
public final class Logging {
    private Logging() {
    }

    /** Replaces the root logger's handlers with one stderr handler using {@link OneLineFormatter}. */
    public static void configure() {
        Level level = parseLevel(System.getenv("FEDGATE_LOG_LEVEL"));
        Logger root = Logger.getLogger("");
        for (Handler handler : root.getHandlers()) {
            root.removeHandler(handler);
        }
        ConsoleHandler handler = new ConsoleHandler();
        handler.setFormatter(new OneLineFormatter());
        handler.setLevel(level);
        root.addHandler(handler);
        root.setLevel(level);
    }

    static Level parseLevel(String name) {
        if (name == null || name.isBlank()) {
            return Level.INFO;
        }
        switch (name.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "trace":
                return Level.FINEST;
            case "debug":
                return Level.FINE;
            case "warn":
            case "warning":
                return Level.WARNING;
            case "error":
                return Level.SEVERE;
            default:
                return Level.INFO;
        }
    }
}
