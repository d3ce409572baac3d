package io.fedgate.core.testing;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * The records one java.util.logging logger publishes while attached, for tests that assert what was logged. Holds
 * the logger strongly (java.util.logging keeps loggers only weakly, and a collected one loses its handler).
 */
public final class LogCapture extends Handler implements AutoCloseable {
    private final Logger logger;
    private final List<LogRecord> records = new CopyOnWriteArrayList<>();

    private LogCapture(Logger logger) {
        this.logger = logger;
    }

    /** Starts capturing the records of the logger named {@code name}. */
    public static LogCapture of(String name) {
        LogCapture capture = new LogCapture(Logger.getLogger(requireNonNull(name, "name")));
        capture.logger.addHandler(capture);
        return capture;
    }

    /** The logger captured. */
    public Logger logger() {
        return logger;
    }

    /** Every record so far, in order; a live, thread-safe view. */
    public List<LogRecord> records() {
        return records;
    }

    @Override
    public void publish(LogRecord record) {
        records.add(record);
    }

    @Override
    public void flush() {
    }

    /** Stops capturing. */
    @Override
    public void close() {
        logger.removeHandler(this);
    }
}
