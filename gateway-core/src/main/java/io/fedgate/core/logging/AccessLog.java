package io.fedgate.core.logging;

import static java.util.Objects.requireNonNull;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;

import io.fedgate.core.listener.ConnectionRecord;

/**
 * The access log: one JSON object per line per downstream connection, written when it ends. Field names are Envoy's
 * access-log operators where Envoy has one ({@code downstream_remote_address}, {@code requested_server_name},
 * {@code upstream_host}, ...). Lines are formatted on the event loop and written by one daemon thread, so a slow
 * stdout or disk never blocks a relay; when {@value #QUEUE_CAPACITY} lines are waiting, further ones are dropped and
 * counted ({@link #dropped()}), never buffered without bound.
 */
public final class AccessLog implements AutoCloseable {
    /** Lines waiting for the writer before new ones are dropped. */
    public static final int QUEUE_CAPACITY = 65_536;
    /** {@code --access-log} value for standard output, the default (the container's log). */
    public static final String STDOUT = "stdout";
    /** {@code --access-log} value that turns the access log off. */
    public static final String OFF = "off";

    private static final Logger LOG = Logger.getLogger(AccessLog.class.getName());
    private static final JsonFactory JSON = new JsonFactory();
    private static final String END = "";

    private final BlockingQueue<String> lines;
    private final AtomicLong dropped = new AtomicLong();
    private final Thread writer;

    private final boolean closeAtEnd;

    private AccessLog(Writer out, String name, boolean closeAtEnd) {
        this.closeAtEnd = closeAtEnd;
        if (out == null) {
            lines = null;
            writer = null;
            return;
        }
        lines = new ArrayBlockingQueue<>(QUEUE_CAPACITY);
        writer = new Thread(() -> drain(out), "fedgate-access-log");
        writer.setDaemon(true);
        writer.start();
        LOG.fine(() -> "access log: " + name);
    }

    /**
     * Opens the access log {@code target} names: {@value #STDOUT}, {@value #OFF}, or a file, appended to.
     *
     * @throws UncheckedIOException if the file cannot be opened
     */
    public static AccessLog open(String target) {
        requireNonNull(target, "target");
        if (target.equals(OFF)) {
            return new AccessLog(null, OFF, false);
        }
        if (target.equals(STDOUT) || target.equals("-")) {
            return to(System.out, STDOUT);
        }
        try {
            Path path = Path.of(target);
            return new AccessLog(Files.newBufferedWriter(path, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND, StandardOpenOption.WRITE), target, true);
        } catch (IOException e) {
            throw new UncheckedIOException("--access-log " + target + ": cannot open: " + e.getMessage(), e);
        }
    }

    /** An access log writing to {@code out}, which it flushes but does not close. */
    public static AccessLog to(OutputStream out, String name) {
        return new AccessLog(new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8)), name, false);
    }

    /** Whether lines are written at all. */
    public boolean enabled() {
        return lines != null;
    }

    /** Queues the line of a completed record. */
    public void log(ConnectionRecord record) {
        if (lines == null) {
            return;
        }
        if (!lines.offer(format(record))) {
            dropped.incrementAndGet();
        }
    }

    /** Lines dropped because the writer fell behind. */
    public long dropped() {
        return dropped.get();
    }

    /** One JSON object, no trailing newline. */
    public static String format(ConnectionRecord record) {
        StringWriter out = new StringWriter(256);
        try (JsonGenerator json = JSON.createGenerator(out)) {
            json.writeStartObject();
            json.writeStringField("start_time", Instant.ofEpochMilli(record.startMillis()).toString());
            json.writeStringField("listener", record.listener());
            json.writeStringField("downstream_remote_address", record.downstreamAddress());
            json.writeStringField("requested_server_name", record.serverName());
            json.writeStringField("downstream_peer_uri_san", record.peerSpiffeId());
            json.writeStringField("peer", record.peer());
            json.writeStringField("upstream_host", record.upstream());
            json.writeStringField("upstream_cluster", record.cluster());
            writeCount(json, "bytes_received", record.bytesReceived());
            writeCount(json, "bytes_sent", record.bytesSent());
            json.writeNumberField("duration_ms", TimeUnit.NANOSECONDS.toMillis(Math.max(0, record.durationNanos())));
            json.writeStringField("result", record.result());
            json.writeStringField("reason", record.reason());
            json.writeStringField("detail", record.detail() != null ? record.detail() : record.error());
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a StringWriter does not fail
        }
        return out.toString();
    }

    private static void writeCount(JsonGenerator json, String field, long value) throws IOException {
        if (value < 0) {
            json.writeNullField(field);
        } else {
            json.writeNumberField(field, value);
        }
    }

    private void drain(Writer out) {
        try {
            while (true) {
                String line = lines.take();
                if (line == END) {
                    out.flush();
                    if (closeAtEnd) {
                        out.close();
                    }
                    return;
                }
                out.write(line);
                out.write('\n');
                if (lines.isEmpty()) {
                    out.flush();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            LOG.log(Level.WARNING, "access log: cannot write, no more lines will be written: " + e.getMessage(), e);
        }
    }

    /** Writes what is queued, then stops the writer (waits up to 5 s). */
    @Override
    public void close() {
        if (writer == null) {
            return;
        }
        try {
            // Bounded: a writer that died on an I/O error leaves a full queue behind, and close must not hang on it.
            if (lines.offer(END, 5, TimeUnit.SECONDS)) {
                writer.join(5_000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
