package io.fedgate.core.logging;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import io.fedgate.core.listener.ConnectionRecord;

class AccessLogTest {
    @TempDir
    Path dir;

    private static ConnectionRecord relayed() {
        ConnectionRecord record = new ConnectionRecord("service", new InetSocketAddress("10.1.2.3", 48352));
        record.serverName("outbound_.9080_._.ratings.bookinfo.svc.green-mesh-exports.local");
        record.peerSpiffeId("spiffe://green-mesh.local/ns/green-mesh-system/sa/egress-red-mesh-service-account");
        record.relayStarted("outbound|9080||ratings.bookinfo.svc.cluster.local", new InetSocketAddress("10.0.0.7", 9080));
        record.peer("green-mesh");
        assertThat(record.downstreamClosed()).as("not complete while the relay runs").isFalse();
        assertThat(record.relayEnded(1000, 2000, null)).isTrue();
        return record;
    }

    @Test
    void aRelayedConnectionIsOneJsonObjectWithEnvoysFieldNames() throws IOException {
        Map<String, String> fields = parse(AccessLog.format(relayed()));
        assertThat(fields).containsEntry("listener", "service")
                .containsEntry("downstream_remote_address", "10.1.2.3:48352")
                .containsEntry("requested_server_name", "outbound_.9080_._.ratings.bookinfo.svc.green-mesh-exports.local")
                .containsEntry("downstream_peer_uri_san",
                        "spiffe://green-mesh.local/ns/green-mesh-system/sa/egress-red-mesh-service-account")
                .containsEntry("peer", "green-mesh")
                .containsEntry("upstream_host", "10.0.0.7:9080")
                .containsEntry("upstream_cluster", "outbound|9080||ratings.bookinfo.svc.cluster.local")
                .containsEntry("bytes_received", "1000")
                .containsEntry("bytes_sent", "2000")
                .containsEntry("result", "relayed")
                .containsEntry("reason", null)
                .containsKeys("start_time", "duration_ms");
    }

    @Test
    void aRefusedConnectionHasItsReasonAndNoByteCounts() throws IOException {
        ConnectionRecord record = new ConnectionRecord("service", new InetSocketAddress("::1", 5000));
        record.refused("unknown-sni", "no route for foo.example");
        assertThat(record.downstreamClosed()).isTrue();
        assertThat(record.downstreamClosed()).as("completes once").isFalse();
        Map<String, String> fields = parse(AccessLog.format(record));
        assertThat(fields).containsEntry("downstream_remote_address", "[0:0:0:0:0:0:0:1]:5000")
                .containsEntry("result", "refused").containsEntry("reason", "unknown-sni")
                .containsEntry("detail", "no route for foo.example")
                .containsEntry("bytes_received", null).containsEntry("bytes_sent", null);
    }

    @Test
    void linesAreWrittenInOrderAndFlushedOnClose() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (AccessLog log = AccessLog.to(out, "test")) {
            log.log(relayed());
            log.log(relayed());
        }
        String[] lines = out.toString(StandardCharsets.UTF_8).split("\n");
        assertThat(lines).hasSize(2).allSatisfy(line -> assertThat(line).startsWith("{").endsWith("}"));
    }

    @Test
    void aFileTargetIsAppendedToAndOffWritesNothing() throws IOException {
        Path file = dir.resolve("access.log");
        Files.writeString(file, "earlier\n");
        try (AccessLog log = AccessLog.open(file.toString())) {
            assertThat(log.enabled()).isTrue();
            log.log(relayed());
        }
        assertThat(Files.readAllLines(file)).hasSize(2).first().isEqualTo("earlier");
        try (AccessLog off = AccessLog.open(AccessLog.OFF)) {
            assertThat(off.enabled()).isFalse();
            off.log(relayed());
            assertThat(off.dropped()).isZero();
        }
    }

    /** Top-level fields as text (numbers too); JSON null as null. */
    private static Map<String, String> parse(String json) throws IOException {
        Map<String, String> fields = new java.util.LinkedHashMap<>();
        try (JsonParser parser = new JsonFactory().createParser(json)) {
            assertThat(parser.nextToken()).isEqualTo(JsonToken.START_OBJECT);
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                JsonToken value = parser.nextToken();
                fields.put(name, value == JsonToken.VALUE_NULL ? null : parser.getText());
            }
            assertThat(parser.nextToken()).isNull();
        }
        return fields;
    }
}
