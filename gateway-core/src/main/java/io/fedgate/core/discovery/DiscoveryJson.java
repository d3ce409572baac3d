package io.fedgate.core.discovery;

import static java.util.Objects.requireNonNull;

import java.io.CharConversionException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.StreamWriteFeature;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.buffer.Unpooled;

/**
 * The one JSON codec of the discovery protocol, with Jackson's streaming API, straight into and out of Netty buffers.
 *
 * <p>Writing produces what the reference (Go's {@code encoding/json} with its {@code omitempty} tags) produces, field
 * for field and in the same order: {@code {"checksum":N,"services":[...]}} with {@code services} left out when
 * empty; services as {@code {"name","namespace","hostname","servicePorts":[{"name","port","protocol"}],
 * "serviceAccounts":[...]}} with empty strings, a zero port and empty lists left out; watch events as
 * {@code {"action":"add","service":{...},"checksum":N}}, one per line ended by {@code \r\n}
 * ({@link #writeLine}). Checksums are written as unsigned integer numbers, never quoted.
 *
 * <p>Reading is tolerant of what does not matter and strict about what does: unknown fields and {@code null} values
 * are ignored, missing strings are empty, missing lists are empty and a missing checksum is 0; but malformed JSON,
 * a field of the wrong type, a checksum that is not an unsigned 64-bit integer, an unknown action, anything after
 * the top-level object, or an {@code add}/{@code delete} without a service throws {@link DiscoveryFormatException}
 * naming the field path (and, for syntax errors, the line and column). The readers leave the buffer's indices and
 * reference count alone. The {@code readValid...} readers also apply {@link DiscoveryValidation}'s rules, which a
 * client applies before it uses anything a peer sent.
 */
public final class DiscoveryJson {
    private static final JsonFactory JSON = JsonFactory.builder()
            .disable(StreamWriteFeature.AUTO_CLOSE_TARGET)
            .disable(StreamReadFeature.AUTO_CLOSE_SOURCE)
            .build();
    private static final byte[] CRLF = {'\r', '\n'};

    private DiscoveryJson() {
    }

    /** Appends {@code list} as JSON to {@code out}. */
    public static void write(ServiceListMessage list, ByteBuf out) {
        requireNonNull(list, "list");
        writeJson(out, generator -> {
            generator.writeStartObject();
            writeChecksum(generator, list.checksum());
            if (!list.services().isEmpty()) {
                generator.writeArrayFieldStart("services");
                for (ServiceMessage service : list.services()) {
                    writeService(generator, service);
                }
                generator.writeEndArray();
            }
            generator.writeEndObject();
        });
    }

    /** Appends {@code event} as JSON to {@code out}, without a line end. */
    public static void write(WatchEvent event, ByteBuf out) {
        requireNonNull(event, "event");
        writeJson(out, generator -> {
            generator.writeStartObject();
            generator.writeStringField("action", event.action().wireName());
            if (event.service() != null) {
                generator.writeFieldName("service");
                writeService(generator, event.service());
            }
            writeChecksum(generator, event.checksum());
            generator.writeEndObject();
        });
    }

    /** Appends {@code event} as one line of a watch stream: its JSON, then {@code \r\n}. */
    public static void writeLine(WatchEvent event, ByteBuf out) {
        write(event, out);
        out.writeBytes(CRLF);
    }

    /** {@code list} as JSON in a new buffer from {@code alloc}, which the caller owns. */
    public static ByteBuf encode(ServiceListMessage list, ByteBufAllocator alloc) {
        ByteBuf out = alloc.buffer();
        try {
            write(list, out);
            ByteBuf encoded = out;
            out = null; // Ownership passes to the caller.
            return encoded;
        } finally {
            if (out != null) {
                out.release();
            }
        }
    }

    /** {@code event} as one watch-stream line in a new buffer from {@code alloc}, which the caller owns. */
    public static ByteBuf encodeLine(WatchEvent event, ByteBufAllocator alloc) {
        ByteBuf out = alloc.buffer(256);
        try {
            writeLine(event, out);
            ByteBuf encoded = out;
            out = null; // Ownership passes to the caller.
            return encoded;
        } finally {
            if (out != null) {
                out.release();
            }
        }
    }

    /** {@code list} as a JSON string. */
    public static String toJson(ServiceListMessage list) {
        ByteBuf out = Unpooled.buffer();
        try {
            write(list, out);
            return out.toString(StandardCharsets.UTF_8);
        } finally {
            out.release();
        }
    }

    /** {@code event} as a JSON string, without a line end. */
    public static String toJson(WatchEvent event) {
        ByteBuf out = Unpooled.buffer();
        try {
            write(event, out);
            return out.toString(StandardCharsets.UTF_8);
        } finally {
            out.release();
        }
    }

    /** Reads the readable bytes of {@code in} as a service list. */
    public static ServiceListMessage readServiceList(ByteBuf in) {
        return read(in, parser -> serviceList(parser, false));
    }

    /**
     * Reads the readable bytes of {@code in} as a service list and checks it with {@link DiscoveryValidation}, in
     * the order the services were sent, so that an error's {@code services[i]} is the i-th on the wire.
     */
    public static ServiceListMessage readValidServiceList(ByteBuf in) {
        return read(in, parser -> serviceList(parser, true));
    }

    /** Reads {@code json} as a service list. */
    public static ServiceListMessage readServiceList(String json) {
        ByteBuf in = Unpooled.wrappedBuffer(json.getBytes(StandardCharsets.UTF_8));
        try {
            return readServiceList(in);
        } finally {
            in.release();
        }
    }

    /** Reads the readable bytes of {@code in} (one line of a watch stream; the line end may be included). */
    public static WatchEvent readWatchEvent(ByteBuf in) {
        return read(in, DiscoveryJson::watchEvent);
    }

    /** Reads {@code json} as a watch event. */
    public static WatchEvent readWatchEvent(String json) {
        ByteBuf in = Unpooled.wrappedBuffer(json.getBytes(StandardCharsets.UTF_8));
        try {
            return readWatchEvent(in);
        } finally {
            in.release();
        }
    }

    /** Reads {@code json} as a watch event and checks it with {@link DiscoveryValidation}. */
    public static WatchEvent readValidWatchEvent(String json) {
        return DiscoveryValidation.check(readWatchEvent(json));
    }

    // ---- writing

    private interface Body {
        void write(JsonGenerator generator) throws IOException;
    }

    private static void writeJson(ByteBuf out, Body body) {
        requireNonNull(out, "out");
        try (OutputStream stream = new ByteBufOutputStream(out);
             JsonGenerator generator = JSON.createGenerator(stream, JsonEncoding.UTF8)) {
            body.write(generator);
        } catch (IOException e) {
            // A ByteBufOutputStream does not fail but for a buffer at its maximum capacity.
            throw new UncheckedIOException(e);
        }
    }

    private static void writeChecksum(JsonGenerator generator, long checksum) throws IOException {
        generator.writeFieldName("checksum");
        // Raw digits: an unsigned value above 2^63 stays a JSON integer, as Go writes a uint64.
        generator.writeNumber(Long.toUnsignedString(checksum));
    }

    private static void writeService(JsonGenerator generator, ServiceMessage service) throws IOException {
        generator.writeStartObject();
        writeNonEmpty(generator, "name", service.name());
        writeNonEmpty(generator, "namespace", service.namespace());
        writeNonEmpty(generator, "hostname", service.hostname());
        if (!service.servicePorts().isEmpty()) {
            generator.writeArrayFieldStart("servicePorts");
            for (ServicePortMessage port : service.servicePorts()) {
                generator.writeStartObject();
                writeNonEmpty(generator, "name", port.name());
                if (port.port() != 0) {
                    generator.writeNumberField("port", port.port());
                }
                writeNonEmpty(generator, "protocol", port.protocol());
                generator.writeEndObject();
            }
            generator.writeEndArray();
        }
        if (!service.serviceAccounts().isEmpty()) {
            generator.writeArrayFieldStart("serviceAccounts");
            for (String account : service.serviceAccounts()) {
                generator.writeString(account);
            }
            generator.writeEndArray();
        }
        generator.writeEndObject();
    }

    private static void writeNonEmpty(JsonGenerator generator, String field, String value) throws IOException {
        if (!value.isEmpty()) {
            generator.writeStringField(field, value);
        }
    }

    // ---- reading

    private interface Reader<T> {
        T read(JsonParser parser) throws IOException;
    }

    private static <T> T read(ByteBuf in, Reader<T> reader) {
        requireNonNull(in, "in");
        try (JsonParser parser = parser(in)) {
            JsonToken first = parser.nextToken();
            if (first == null) {
                throw DiscoveryFormatException.malformed("empty discovery message: expected a JSON object", null);
            }
            T value = reader.read(parser);
            JsonToken trailing = parser.nextToken();
            if (trailing != null) {
                throw DiscoveryFormatException.malformed("trailing content after the JSON object: "
                        + describe(parser) + at(parser.currentTokenLocation()), null);
            }
            return value;
        } catch (JsonProcessingException e) {
            throw DiscoveryFormatException.malformed("malformed JSON: " + e.getOriginalMessage() + at(e.getLocation()),
                    e);
        } catch (CharConversionException e) {
            // Jackson guesses UTF-16 or UTF-32 from the first bytes (the reference sends UTF-8); a bad unit then.
            throw DiscoveryFormatException.malformed("malformed JSON: not text in one encoding: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // Reading memory does not fail otherwise.
        }
    }

    private static JsonParser parser(ByteBuf in) throws IOException {
        if (in.hasArray()) {
            return JSON.createParser(in.array(), in.arrayOffset() + in.readerIndex(), in.readableBytes());
        }
        InputStream stream = new ByteBufInputStream(in.duplicate());
        return JSON.createParser(stream);
    }

    private static ServiceListMessage serviceList(JsonParser parser, boolean validate) throws IOException {
        expectObject(parser, "the service list");
        long checksum = 0;
        List<ServiceMessage> services = List.of();
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String field = parser.currentName();
            JsonToken value = parser.nextToken();
            if (value == JsonToken.VALUE_NULL) {
                continue;
            }
            switch (field) {
                case "checksum" -> checksum = checksum(parser, "checksum");
                case "services" -> services = services(parser, "services");
                default -> parser.skipChildren();
            }
        }
        if (validate) {
            DiscoveryValidation.checkServices(services); // Before the constructor sorts them.
        }
        return new ServiceListMessage(checksum, services);
    }

    private static WatchEvent watchEvent(JsonParser parser) throws IOException {
        expectObject(parser, "the watch event");
        String action = "";
        ServiceMessage service = null;
        long checksum = 0;
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String field = parser.currentName();
            JsonToken value = parser.nextToken();
            if (value == JsonToken.VALUE_NULL) {
                continue;
            }
            switch (field) {
                case "action" -> action = string(parser, "action");
                case "service" -> service = service(parser, "service");
                case "checksum" -> checksum = checksum(parser, "checksum");
                default -> parser.skipChildren();
            }
        }
        String name = action;
        WatchEvent.Action parsed = WatchEvent.Action.fromWireName(action).orElseThrow(() ->
                new DiscoveryFormatException("action: " + (name.isEmpty() ? "missing" : "unknown action '" + name + "'")
                        + " (expected: add, update, delete)"));
        if (service == null && parsed != WatchEvent.Action.UPDATE) {
            throw new DiscoveryFormatException("service: missing in a " + parsed.wireName() + " event");
        }
        return new WatchEvent(parsed, service, checksum);
    }

    private static List<ServiceMessage> services(JsonParser parser, String path) throws IOException {
        expectArray(parser, path);
        List<ServiceMessage> services = new ArrayList<>();
        while (parser.nextToken() != JsonToken.END_ARRAY) {
            String item = path + "[" + services.size() + "]";
            if (parser.currentToken() == JsonToken.VALUE_NULL) {
                throw new DiscoveryFormatException(item + ": expected a service object, got null");
            }
            services.add(service(parser, item));
        }
        return services;
    }

    private static ServiceMessage service(JsonParser parser, String path) throws IOException {
        expectObject(parser, path);
        String name = "";
        String namespace = "";
        String hostname = "";
        List<ServicePortMessage> ports = List.of();
        List<String> accounts = List.of();
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String field = parser.currentName();
            JsonToken value = parser.nextToken();
            if (value == JsonToken.VALUE_NULL) {
                continue;
            }
            switch (field) {
                case "name" -> name = string(parser, path + ".name");
                case "namespace" -> namespace = string(parser, path + ".namespace");
                case "hostname" -> hostname = string(parser, path + ".hostname");
                case "servicePorts" -> ports = ports(parser, path + ".servicePorts");
                case "serviceAccounts" -> accounts = strings(parser, path + ".serviceAccounts");
                default -> parser.skipChildren();
            }
        }
        return new ServiceMessage(name, namespace, hostname, ports, accounts);
    }

    private static List<ServicePortMessage> ports(JsonParser parser, String path) throws IOException {
        expectArray(parser, path);
        List<ServicePortMessage> ports = new ArrayList<>();
        while (parser.nextToken() != JsonToken.END_ARRAY) {
            String item = path + "[" + ports.size() + "]";
            expectObject(parser, item);
            String name = "";
            int port = 0;
            String protocol = "";
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken value = parser.nextToken();
                if (value == JsonToken.VALUE_NULL) {
                    continue;
                }
                switch (field) {
                    case "name" -> name = string(parser, item + ".name");
                    case "port" -> port = port(parser, item + ".port");
                    case "protocol" -> protocol = string(parser, item + ".protocol");
                    default -> parser.skipChildren();
                }
            }
            ports.add(new ServicePortMessage(name, port, protocol));
        }
        return ports;
    }

    private static List<String> strings(JsonParser parser, String path) throws IOException {
        expectArray(parser, path);
        List<String> values = new ArrayList<>();
        while (parser.nextToken() != JsonToken.END_ARRAY) {
            values.add(string(parser, path + "[" + values.size() + "]"));
        }
        return values;
    }

    private static String string(JsonParser parser, String path) throws IOException {
        if (parser.currentToken() != JsonToken.VALUE_STRING) {
            throw typeError(parser, path, "a string");
        }
        return parser.getText();
    }

    private static int port(JsonParser parser, String path) throws IOException {
        if (parser.currentToken() != JsonToken.VALUE_NUMBER_INT || parser.getNumberType() != JsonParser.NumberType.INT
                || parser.getIntValue() < 0 || parser.getIntValue() > 65535) {
            throw typeError(parser, path, "a port number 0-65535");
        }
        return parser.getIntValue();
    }

    private static long checksum(JsonParser parser, String path) throws IOException {
        if (parser.currentToken() == JsonToken.VALUE_NUMBER_INT) {
            String digits = parser.getText();
            if (!digits.startsWith("-")) {
                try {
                    return Long.parseUnsignedLong(digits);
                } catch (NumberFormatException e) {
                    // Out of range: reported below.
                }
            }
        }
        throw typeError(parser, path, "an unsigned 64-bit integer");
    }

    private static void expectObject(JsonParser parser, String what) {
        if (parser.currentToken() != JsonToken.START_OBJECT) {
            throw typeError(parser, what, "a JSON object");
        }
    }

    private static void expectArray(JsonParser parser, String path) {
        if (parser.currentToken() != JsonToken.START_ARRAY) {
            throw typeError(parser, path, "an array");
        }
    }

    private static DiscoveryFormatException typeError(JsonParser parser, String path, String expected) {
        if (parser.currentToken() == null) { // The text ended before the value: not JSON, rather than a wrong value.
            return DiscoveryFormatException.malformed(path + ": expected " + expected + ", got the end of the text",
                    null);
        }
        return new DiscoveryFormatException(path + ": expected " + expected + ", got " + describe(parser)
                + at(parser.currentTokenLocation()));
    }

    private static String describe(JsonParser parser) {
        JsonToken token = parser.currentToken();
        if (token == null) {
            return "nothing";
        }
        try {
            return switch (token) {
                case START_OBJECT -> "an object";
                case START_ARRAY -> "an array";
                case VALUE_STRING -> "the string \"" + parser.getText() + '"';
                case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "the number " + parser.getText();
                case VALUE_TRUE, VALUE_FALSE -> "a boolean";
                case VALUE_NULL -> "null";
                default -> token.asString() == null ? token.name() : token.asString();
            };
        } catch (IOException e) {
            return token.name();
        }
    }

    private static String at(JsonLocation location) {
        if (location == null || location.getLineNr() < 1) {
            return "";
        }
        return " (line " + location.getLineNr() + ", column " + location.getColumnNr() + ")";
    }
}
