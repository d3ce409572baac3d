package io.fedgate.core.logging;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;
import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * At most one log line per key per interval, for events a flood or a hostile peer can repeat as fast as it likes:
 * a line per event would add disk I/O to the overload, while the meters count every one. The first event of a key
 * is logged at once; later ones within the interval are only counted, and the next line logged for that key is
 * told how many were left out. Thread-safe and lock-free; keys should be few (a cause, a listener), as each is kept.
 */
public final class RateLimitedLog {
    private final Logger logger;
    private final Level level;
    private final long intervalNanos;
    private final LongSupplier nanoTime;
    private final ConcurrentMap<String, Window> windows = new ConcurrentHashMap<>();

    /** One key's last line and what was left out since. */
    private static final class Window {
        final AtomicLong lastLogged;
        final AtomicLong suppressed = new AtomicLong();

        Window(long lastLogged) {
            this.lastLogged = new AtomicLong(lastLogged);
        }
    }

    /** Logs to {@code logger} at {@code level}, at most once per {@code interval} per key. */
    public RateLimitedLog(Logger logger, Level level, Duration interval) {
        this(logger, level, interval, System::nanoTime);
    }

    /** As above, with the time from {@code nanoTime} (tests step it). */
    public RateLimitedLog(Logger logger, Level level, Duration interval, LongSupplier nanoTime) {
        this.logger = requireNonNull(logger, "logger");
        this.level = requireNonNull(level, "level");
        this.intervalNanos = requireNonNull(interval, "interval").toNanos();
        if (intervalNanos <= 0) {
            throw new IllegalArgumentException("interval: " + interval + " (expected: > 0)");
        }
        this.nanoTime = requireNonNull(nanoTime, "nanoTime");
    }

    /**
     * One event of {@code key}: logged unless a line for {@code key} was logged less than an interval ago.
     *
     * @param message the line, given how many events of {@code key} were left out since the last line (0 if none)
     */
    public void log(String key, LongFunction<String> message) {
        requireNonNull(message, "message");
        long now = nanoTime.getAsLong();
        Window window = windows.computeIfAbsent(requireNonNull(key, "key"), k -> new Window(now - intervalNanos));
        long last = window.lastLogged.get();
        if (now - last >= intervalNanos && window.lastLogged.compareAndSet(last, now)) {
            long suppressed = window.suppressed.getAndSet(0);
            logger.log(level, () -> message.apply(suppressed));
        } else {
            window.suppressed.incrementAndGet();
        }
    }

    /** {@code " (N more since the last such line)"}, or nothing for 0: the usual tail of a rate-limited line. */
    public static String suppressedSuffix(long suppressed) {
        return suppressed == 0 ? "" : " (" + suppressed + " more since the last such line)";
    }
}
