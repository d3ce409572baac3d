package io.fedgate.core.discovery;

import static io.fedgate.core.discovery.DiscoveryFixtures.BOTH_CHECKSUM;
import static io.fedgate.core.discovery.DiscoveryFixtures.DETAILS;
import static io.fedgate.core.discovery.DiscoveryFixtures.EMPTY_CHECKSUM;
import static io.fedgate.core.discovery.DiscoveryFixtures.RATINGS;
import static io.fedgate.core.discovery.DiscoveryFixtures.RATINGS_CHECKSUM;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;

/** The wire shapes of federation-protocol.md section 4, byte for byte, and tolerant but strict reading. */
class DiscoveryJsonTest {
    private static final String RATINGS_JSON = "{\"name\":\"ratings\",\"namespace\":\"bookinfo\","
            + "\"hostname\":\"ratings.bookinfo.svc.mesh2-exports.local\","
            + "\"servicePorts\":[{\"name\":\"http\",\"port\":9080,\"protocol\":\"HTTP\"}],"
            + "\"serviceAccounts\":[\"spiffe://mesh1.local/ns/mesh1-system/sa/mesh2-ingress-service-account\"]}";
    private static final String DETAILS_JSON = "{\"name\":\"details\",\"namespace\":\"bookinfo\","
            + "\"hostname\":\"details.bookinfo.svc.mesh2-exports.local\","
            + "\"servicePorts\":[{\"name\":\"http\",\"port\":9080,\"protocol\":\"HTTP\"},"
            + "{\"name\":\"tcp-extra\",\"port\":9443,\"protocol\":\"TCP\"}],"
            + "\"serviceAccounts\":[\"spiffe://mesh1.local/ns/mesh1-system/sa/mesh2-ingress-service-account\","
            + "\"spiffe://mesh1.local/ns/mesh1-system/sa/other\"]}";

    @Test
    void serviceListIsWrittenAsTheReferenceWritesIt() {
        ServiceListMessage list = ServiceListMessage.of(List.of(RATINGS, DETAILS));

        assertThat(DiscoveryJson.toJson(list))
                .isEqualTo("{\"checksum\":14564975621233500190,\"services\":[" + DETAILS_JSON + "," + RATINGS_JSON + "]}");
    }

    @Test
    void emptyListLeavesServicesOut() {
        assertThat(DiscoveryJson.toJson(ServiceListMessage.EMPTY)).isEqualTo("{\"checksum\":3035108133973235477}");
    }

    @Test
    void watchEventIsOneLineEndedByCrLf() {
        ByteBuf line = DiscoveryJson.encodeLine(WatchEvent.add(RATINGS, RATINGS_CHECKSUM), ByteBufAllocator.DEFAULT);
        try {
            assertThat(line.toString(StandardCharsets.UTF_8))
                    .isEqualTo("{\"action\":\"add\",\"service\":" + RATINGS_JSON + ",\"checksum\":11766432003838626797}\r\n");
        } finally {
            line.release();
        }
    }

    @Test
    void resyncEventHasNoService() {
        assertThat(DiscoveryJson.toJson(WatchEvent.resync(EMPTY_CHECKSUM)))
                .isEqualTo("{\"action\":\"update\",\"checksum\":3035108133973235477}");
        assertThat(DiscoveryJson.readWatchEvent("{\"action\":\"update\"}")).isEqualTo(WatchEvent.resync(0));
    }

    @Test
    void emptyStringsAndListsAreLeftOutAsGoDoes() {
        ServiceMessage bare = new ServiceMessage("", "ns", "h", List.of(new ServicePortMessage("", 80, "TCP")), List.of());

        assertThat(DiscoveryJson.toJson(WatchEvent.delete(bare, 7)))
                .isEqualTo("{\"action\":\"delete\",\"service\":{\"namespace\":\"ns\",\"hostname\":\"h\","
                        + "\"servicePorts\":[{\"port\":80,\"protocol\":\"TCP\"}]},\"checksum\":7}");
    }

    @Test
    void listAndEventsRoundTrip() {
        ServiceListMessage list = ServiceListMessage.of(List.of(RATINGS, DETAILS));
        List<WatchEvent> events = List.of(WatchEvent.add(RATINGS, RATINGS_CHECKSUM),
                WatchEvent.update(DETAILS, BOTH_CHECKSUM), WatchEvent.delete(RATINGS, -1L), WatchEvent.resync(3));

        assertThat(DiscoveryJson.readServiceList(DiscoveryJson.toJson(list))).isEqualTo(list);
        assertThat(DiscoveryJson.readServiceList(DiscoveryJson.toJson(ServiceListMessage.EMPTY)))
                .isEqualTo(ServiceListMessage.EMPTY);
        for (WatchEvent event : events) {
            ByteBuf line = DiscoveryJson.encodeLine(event, PooledByteBufAllocator.DEFAULT);
            try {
                assertThat(DiscoveryJson.readWatchEvent(line)).isEqualTo(event);
                assertThat(line.readerIndex()).isZero();
            } finally {
                line.release();
            }
        }
    }

    @Test
    void readsFromDirectBuffers() {
        ByteBuf direct = Unpooled.directBuffer();
        try {
            DiscoveryJson.write(ServiceListMessage.of(List.of(RATINGS)), direct);
            assertThat(direct.hasArray()).isFalse();
            assertThat(DiscoveryJson.readServiceList(direct).checksum()).isEqualTo(RATINGS_CHECKSUM);
        } finally {
            direct.release();
        }
    }

    @Test
    void readingIgnoresUnknownFieldsAndNullsAndDefaultsMissingOnes() {
        ServiceListMessage list = DiscoveryJson.readServiceList("{\"networkGatewayEndpoints\":[{\"port\":1}],"
                + "\"services\":[{\"hostname\":\"a.b.svc.x-exports.local\",\"servicePorts\":null,\"extra\":{\"x\":[1]}}],"
                + "\"checksum\":12}");

        assertThat(list).isEqualTo(new ServiceListMessage(12,
                List.of(new ServiceMessage("", "", "a.b.svc.x-exports.local", List.of(), List.of()))));
        assertThat(DiscoveryJson.readServiceList("{}")).isEqualTo(new ServiceListMessage(0, List.of()));
        assertThat(DiscoveryJson.readServiceList("{\"checksum\":1,\"services\":null}").services()).isEmpty();
    }

    @Test
    void servicesAreSortedByHostnameWhenRead() {
        ServiceListMessage list = DiscoveryJson.readServiceList(
                "{\"checksum\":14564975621233500190,\"services\":[" + RATINGS_JSON + "," + DETAILS_JSON + "]}");

        assertThat(list.services()).containsExactly(DETAILS, RATINGS);
        assertThat(list.checksumMatches()).isTrue();
    }

    @Test
    void malformedJsonFailsWithLocation() {
        assertThatThrownBy(() -> DiscoveryJson.readServiceList("{\"checksum\":1,\n\"services\":[}"))
                .isInstanceOf(DiscoveryFormatException.class)
                .hasMessageStartingWith("malformed JSON: ")
                .hasMessageContaining("(line 2, column");
        assertThatThrownBy(() -> DiscoveryJson.readServiceList(""))
                .hasMessage("empty discovery message: expected a JSON object");
        assertThatThrownBy(() -> DiscoveryJson.readServiceList("{} {}"))
                .hasMessage("trailing content after the JSON object: an object (line 1, column 4)");
        assertThatThrownBy(() -> DiscoveryJson.readServiceList("[]"))
                .hasMessage("the service list: expected a JSON object, got an array (line 1, column 1)");
    }

    @Test
    void wrongTypesNameTheField() {
        assertThatThrownBy(() -> DiscoveryJson.readServiceList("{\"checksum\":\"12\"}"))
                .hasMessage("checksum: expected an unsigned 64-bit integer, got the string \"12\" (line 1, column 13)");
        assertThatThrownBy(() -> DiscoveryJson.readServiceList("{\"checksum\":18446744073709551616}"))
                .hasMessageStartingWith("checksum: expected an unsigned 64-bit integer, got the number 18446744073709551616");
        assertThatThrownBy(() -> DiscoveryJson.readServiceList("{\"checksum\":-1}"))
                .hasMessageStartingWith("checksum: expected an unsigned 64-bit integer, got the number -1");
        assertThatThrownBy(() -> DiscoveryJson.readServiceList(
                "{\"services\":[{\"servicePorts\":[{\"port\":70000}]}]}"))
                .hasMessageStartingWith("services[0].servicePorts[0].port: expected a port number 0-65535, got the number 70000");
        assertThatThrownBy(() -> DiscoveryJson.readServiceList("{\"services\":[{\"serviceAccounts\":[\"a\",1]}]}"))
                .hasMessageStartingWith("services[0].serviceAccounts[1]: expected a string, got the number 1");
        assertThatThrownBy(() -> DiscoveryJson.readServiceList("{\"services\":{}}"))
                .hasMessageStartingWith("services: expected an array, got an object");
    }

    @Test
    void watchEventsNeedAKnownActionAndAServiceUnlessResync() {
        assertThatThrownBy(() -> DiscoveryJson.readWatchEvent("{\"action\":\"rename\",\"checksum\":1}"))
                .hasMessage("action: unknown action 'rename' (expected: add, update, delete)");
        assertThatThrownBy(() -> DiscoveryJson.readWatchEvent("{\"checksum\":1}"))
                .hasMessage("action: missing (expected: add, update, delete)");
        assertThatThrownBy(() -> DiscoveryJson.readWatchEvent("{\"action\":\"delete\",\"checksum\":1}"))
                .hasMessage("service: missing in a delete event");
        assertThat(DiscoveryJson.readWatchEvent("{\"action\":\"add\",\"service\":" + RATINGS_JSON
                + ",\"checksum\":11766432003838626797}\r\n")).isEqualTo(WatchEvent.add(RATINGS, RATINGS_CHECKSUM));
    }

    /** Found by DiscoveryJsonFuzzTest: Jackson took these bytes for UTF-32 and its decoding error escaped. */
    @Test
    void bytesThatAreNotTextInOneEncodingAreMalformed() {
        byte[] bytes = new byte[64];
        bytes[0] = '{';
        bytes[40] = (byte) 0xa3;
        ByteBuf in = Unpooled.wrappedBuffer(bytes);
        try {
            assertThatThrownBy(() -> DiscoveryJson.readWatchEvent(in)).isInstanceOf(DiscoveryFormatException.class)
                    .hasMessageContaining("malformed JSON")
                    .satisfies(e -> assertThat(((DiscoveryFormatException) e).malformed()).isTrue());
        } finally {
            in.release();
        }
    }
}
