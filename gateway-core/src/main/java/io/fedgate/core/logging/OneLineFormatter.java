package io.fedgate.core.logging;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.logging.Formatter;
import java.util.logging.LogRecord;

/**
 * Formats a log record as one line, {@code 2026-11-26T21:51:19.123Z INFO  [logger] message}, the shape
 * log collectors split on; a stack trace, when there is one, follows on its own lines.
 */
public final class OneLineFormatter extends Formatter {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'")
            .withZone(ZoneOffset.UTC);

    @Override
    public String format(LogRecord record) {
        StringBuilder line = new StringBuilder(160);
        TIME.formatTo(Instant.ofEpochMilli(record.getMillis()), line);
        line.append(' ').append(String.format("%-5s", level(record))).append(" [")
                .append(shortName(record.getLoggerName())).append("] ")
                .append(formatMessage(record)).append('\n');
        if (record.getThrown() != null) {
            StringWriter trace = new StringWriter();
            record.getThrown().printStackTrace(new PrintWriter(trace));
            line.append(trace);
        }
        return line.toString();
    }

    private static String level(LogRecord record) {
        switch (record.getLevel().getName()) {
            case "SEVERE":
                return "ERROR";
            case "WARNING":
                return "WARN";
            case "FINE":
            case "FINER":
                return "DEBUG";
            case "FINEST":
                return "TRACE";
            default:
                return record.getLevel().getName();
        }
    }

    private static String shortName(String loggerName) {
        if (loggerName == null) {
            return "-";
        }
        int dot = loggerName.lastIndexOf('.');
        return dot < 0 ? loggerName : loggerName.substring(dot + 1);
    }
}
