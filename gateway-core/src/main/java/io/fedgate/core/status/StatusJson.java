package io.fedgate.core.status;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import io.fedgate.core.discovery.RemoteWatchStatus;
import io.fedgate.core.discovery.client.WatchStatus;

/**
 * The one codec of {@code /federation/status}: {@link GatewayStatus} to JSON and back. Field names follow the
 * {@code ServiceMeshPeer} status (camelCase, RFC 3339 UTC timestamps to the second); a time that never happened is
 * left out.
 */
public final class StatusJson {
    private static final JsonFactory JSON = new JsonFactory();

    private StatusJson() {
    }

    /** The JSON of a gateway's status. */
    public static String write(GatewayStatus status) {
        StringWriter out = new StringWriter();
        try (JsonGenerator json = JSON.createGenerator(out)) {
            json.writeStartObject();
            json.writeStringField("pod", status.pod());
            json.writeStringField("role", status.role());
            json.writeStringField("gateway", status.gateway());
            json.writeStringField("namespace", status.namespace());
            json.writeArrayFieldStart("peers");
            for (PeerStatus peer : status.peers()) {
                writePeer(json, peer);
            }
            json.writeEndArray();
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    private static void writePeer(JsonGenerator json, PeerStatus peer) throws IOException {
        json.writeStartObject();
        json.writeStringField("name", peer.peer());
        json.writeArrayFieldStart("remotes");
        for (RemoteWatchStatus remote : peer.remotes()) {
            json.writeStartObject();
            json.writeStringField("source", remote.source());
            json.writeBooleanField("connected", remote.connected());
            time(json, "lastConnected", remote.lastConnected().orElse(null));
            time(json, "lastFullSync", remote.lastFullSync().orElse(null));
            time(json, "lastDisconnect", remote.lastDisconnected().orElse(null));
            json.writeEndObject();
        }
        json.writeEndArray();
        if (peer.watch().isPresent()) {
            WatchStatus watch = peer.watch().get();
            json.writeObjectFieldStart("watch");
            json.writeBooleanField("connected", watch.connected());
            time(json, "lastConnected", watch.lastConnected().orElse(null));
            time(json, "lastDisconnect", watch.lastDisconnect().orElse(null));
            text(json, "lastDisconnectStatus", watch.lastDisconnectStatus().orElse(null));
            time(json, "lastEvent", watch.lastEvent().orElse(null));
            time(json, "lastFullSync", watch.lastFullSync().orElse(null));
            text(json, "address", watch.address().orElse(null));
            text(json, "lastErrorReason", watch.lastErrorReason().orElse(null));
            json.writeEndObject();
        }
        if (peer.lastRefusal().isPresent()) {
            Refusal refusal = peer.lastRefusal().get();
            json.writeObjectFieldStart("lastRefusal");
            json.writeStringField("listener", refusal.listener());
            json.writeStringField("reason", refusal.reason());
            json.writeStringField("detail", refusal.detail());
            time(json, "time", refusal.time());
            json.writeEndObject();
        }
        json.writeEndObject();
    }

    private static void text(JsonGenerator json, String name, String value) throws IOException {
        if (value != null) {
            json.writeStringField(name, value);
        }
    }

    private static void time(JsonGenerator json, String name, Instant time) throws IOException {
        if (time != null) {
            json.writeStringField(name, format(time));
        }
    }

    /** RFC 3339 UTC to the second, as Kubernetes writes status times. */
    public static String format(Instant time) {
        return DateTimeFormatter.ISO_INSTANT.format(time.truncatedTo(ChronoUnit.SECONDS));
    }

    /**
     * Reads a gateway's status.
     *
     * @throws IllegalArgumentException if the text is not such a document
     */
    public static GatewayStatus read(String text) {
        try (JsonParser json = JSON.createParser(text)) {
            expect(json.nextToken(), JsonToken.START_OBJECT, "the status");
            String pod = null;
            String role = null;
            String gateway = null;
            String namespace = null;
            List<PeerStatus> peers = new ArrayList<>();
            while (json.nextToken() == JsonToken.FIELD_NAME) {
                String field = json.currentName();
                json.nextToken();
                switch (field) {
                    case "pod" -> pod = json.getText();
                    case "role" -> role = json.getText();
                    case "gateway" -> gateway = json.getText();
                    case "namespace" -> namespace = json.getText();
                    case "peers" -> {
                        expect(json.currentToken(), JsonToken.START_ARRAY, "peers");
                        while (json.nextToken() == JsonToken.START_OBJECT) {
                            peers.add(readPeer(json));
                        }
                    }
                    default -> json.skipChildren();
                }
            }
            if (pod == null || role == null || gateway == null || namespace == null) {
                throw new IllegalArgumentException("not a fedgate status: pod, role, gateway and namespace are required");
            }
            return new GatewayStatus(pod, role, gateway, namespace, peers);
        } catch (IOException e) {
            throw new IllegalArgumentException("not a fedgate status: " + e.getMessage(), e);
        }
    }

    private static PeerStatus readPeer(JsonParser json) throws IOException {
        String name = null;
        List<RemoteWatchStatus> remotes = new ArrayList<>();
        WatchStatus watch = null;
        Refusal refusal = null;
        while (json.nextToken() == JsonToken.FIELD_NAME) {
            String field = json.currentName();
            json.nextToken();
            switch (field) {
                case "name" -> name = json.getText();
                case "remotes" -> {
                    while (json.nextToken() == JsonToken.START_OBJECT) {
                        Fields f = Fields.read(json);
                        remotes.add(new RemoteWatchStatus(String.valueOf(name), f.text("source"), f.flag("connected"),
                                f.flag("connected") ? 1 : 0, Optional.ofNullable(f.time("lastConnected")),
                                Optional.ofNullable(f.time("lastFullSync")),
                                Optional.ofNullable(f.time("lastDisconnect"))));
                    }
                }
                case "watch" -> {
                    Fields f = Fields.read(json);
                    watch = new WatchStatus(f.flag("connected"), Optional.ofNullable(f.time("lastConnected")),
                            Optional.ofNullable(f.time("lastDisconnect")), Optional.ofNullable(f.text("lastDisconnectStatus")),
                            Optional.ofNullable(f.time("lastEvent")), Optional.ofNullable(f.time("lastFullSync")),
                            Optional.ofNullable(f.text("address")), Optional.ofNullable(f.text("lastErrorReason")));
                }
                case "lastRefusal" -> {
                    Fields f = Fields.read(json);
                    refusal = new Refusal(f.text("listener"), f.text("reason"), f.text("detail"), f.time("time"));
                }
                default -> json.skipChildren();
            }
        }
        if (name == null) {
            throw new IllegalArgumentException("not a fedgate status: a peer without a name");
        }
        return new PeerStatus(name, remotes, Optional.ofNullable(watch), Optional.ofNullable(refusal));
    }

    private static void expect(JsonToken actual, JsonToken expected, String what) {
        if (actual != expected) {
            throw new IllegalArgumentException("not a fedgate status: " + what + " is " + actual + ", expected " + expected);
        }
    }

    /** The scalar fields of one flat JSON object. */
    private static final class Fields {
        private final Map<String, String> values = new HashMap<>();

        static Fields read(JsonParser json) throws IOException {
            Fields fields = new Fields();
            while (json.nextToken() == JsonToken.FIELD_NAME) {
                String field = json.currentName();
                JsonToken value = json.nextToken();
                if (value.isScalarValue()) {
                    fields.values.put(field, json.getText());
                } else {
                    json.skipChildren();
                }
            }
            return fields;
        }

        String text(String name) {
            return values.get(name);
        }

        boolean flag(String name) {
            return Boolean.parseBoolean(values.get(name));
        }

        Instant time(String name) {
            String value = values.get(name);
            return value == null ? null : Instant.parse(value);
        }
    }
}
