package io.fedgate.core.discovery;

import static io.fedgate.core.discovery.DiscoveryFixtures.RED_INGRESS;
import static io.fedgate.core.discovery.DiscoveryFixtures.files;
import static io.fedgate.core.discovery.DiscoveryFixtures.greenExporting;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import io.fedgate.core.config.ConfigFixtures;
import io.fedgate.core.config.ConfigOptions;
import io.fedgate.core.config.FederationConfig;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;

/** The HTTP face of discovery, driven through an EmbeddedChannel. */
class DiscoveryHttpHandlerTest {
    private static final String RATINGS = "- type: NameSelector\n  nameSelector:\n    namespace: bookinfo\n"
            + "    name: ratings\n";
    private static final String RATINGS_AND_DETAILS = RATINGS
            + "- type: NameSelector\n  nameSelector:\n    namespace: bookinfo\n    name: details\n";
    private static final String DETAILS_HOST = "details.bookinfo.svc.green-mesh-exports.local";

    private final DiscoveryServer server = DiscoveryServer.builder().serviceAccounts(List.of(RED_INGRESS))
            .build(greenExporting(RATINGS));

    private static DefaultFullHttpRequest request(HttpMethod method, String uri) {
        return new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, uri);
    }

    private EmbeddedChannel channel() {
        EmbeddedChannel channel = new EmbeddedChannel(new DiscoveryHttpHandler(server));
        channel.attr(DiscoveryHttpHandler.SOURCE).set("10.0.0.7");
        return channel;
    }

    @Test
    void servesTheServiceListAsJsonWithKeepAlive() {
        EmbeddedChannel channel = channel();
        DefaultFullHttpRequest request = request(HttpMethod.GET, "/v1/services/green-mesh");

        channel.writeInbound(request);

        assertThat(request.refCnt()).as("request released").isZero();
        FullHttpResponse response = channel.readOutbound();
        try {
            assertThat(response.status()).isEqualTo(HttpResponseStatus.OK);
            assertThat(response.headers().get(HttpHeaderNames.CONTENT_TYPE)).isEqualTo("application/json");
            assertThat(HttpUtil.getContentLength(response)).isEqualTo(response.content().readableBytes());
            assertThat(DiscoveryJson.readServiceList(response.content()))
                    .isEqualTo(server.serviceList("green-mesh").orElseThrow());
        } finally {
            response.release();
        }
        assertThat(channel.isOpen()).isTrue();
        assertThat(server.remotes()).singleElement()
                .satisfies(remote -> assertThat(remote.lastFullSync()).isPresent());
        assertFalse(channel.finish());
    }

    @Test
    void closesAfterTheListWithoutKeepAlive() {
        EmbeddedChannel channel = channel();
        DefaultFullHttpRequest request = request(HttpMethod.GET, "/v1/services/green-mesh?x=1");
        HttpUtil.setKeepAlive(request, false);

        channel.writeInbound(request);

        FullHttpResponse response = channel.readOutbound();
        assertThat(response.status()).isEqualTo(HttpResponseStatus.OK);
        assertThat(response.headers().get(HttpHeaderNames.CONNECTION)).isEqualTo("close");
        response.release();
        assertThat(channel.isOpen()).isFalse();
        assertFalse(channel.finish());
    }

    @Test
    void answersErrorsByStatus() {
        EmbeddedChannel channel = channel();

        assertThat(statusOf(channel, request(HttpMethod.GET, "/v1/services/blue-mesh")))
                .isEqualTo(HttpResponseStatus.BAD_REQUEST);
        assertThat(statusOf(channel, request(HttpMethod.GET, "/v1/watch/blue-mesh")))
                .isEqualTo(HttpResponseStatus.BAD_REQUEST);
        assertThat(statusOf(channel, request(HttpMethod.GET, "/v1/services/")))
                .isEqualTo(HttpResponseStatus.NOT_FOUND);
        assertThat(statusOf(channel, request(HttpMethod.GET, "/v1/watch")))
                .isEqualTo(HttpResponseStatus.NOT_FOUND);
        assertThat(statusOf(channel, request(HttpMethod.GET, "/v1/services/green-mesh/x")))
                .isEqualTo(HttpResponseStatus.NOT_FOUND);
        assertThat(statusOf(channel, request(HttpMethod.GET, "/healthz")))
                .isEqualTo(HttpResponseStatus.NOT_FOUND);
        assertThat(statusOf(channel, request(HttpMethod.POST, "/v1/services/green-mesh")))
                .isEqualTo(HttpResponseStatus.METHOD_NOT_ALLOWED);
        assertThat(channel.isOpen()).isTrue();
        assertThat(server.watchCount("green-mesh")).isZero();
        assertFalse(channel.finish());
    }

    @Test
    void methodNotAllowedNamesGet() {
        EmbeddedChannel channel = channel();

        channel.writeInbound(request(HttpMethod.DELETE, "/v1/watch/green-mesh"));

        FullHttpResponse response = channel.readOutbound();
        assertThat(response.headers().get(HttpHeaderNames.ALLOW)).isEqualTo("GET");
        response.release();
        assertFalse(channel.finish());
    }

    @Test
    void watchStreamsEventsAsTheyHappen() {
        EmbeddedChannel channel = channel();

        channel.writeInbound(request(HttpMethod.GET, "/v1/watch/green-mesh"));

        HttpResponse head = channel.readOutbound();
        assertThat(head).isNotInstanceOf(FullHttpResponse.class);
        assertThat(head.status()).isEqualTo(HttpResponseStatus.OK);
        assertThat(head.headers().get(HttpHeaderNames.CONTENT_TYPE)).isEqualTo("application/json");
        assertThat(HttpUtil.isTransferEncodingChunked(head)).isTrue();
        assertThat(server.watchCount("green-mesh")).isOne();
        assertThat(server.remotes()).singleElement().satisfies(remote -> {
            assertThat(remote.source()).isEqualTo("10.0.0.7");
            assertThat(remote.connected()).isTrue();
        });

        server.update(greenExporting(RATINGS_AND_DETAILS));
        channel.runPendingTasks();
        WatchEvent added = readEvent(channel);
        server.update(greenExporting(RATINGS));
        channel.runPendingTasks();
        WatchEvent deleted = readEvent(channel);

        assertThat(added.action()).isEqualTo(WatchEvent.Action.ADD);
        assertThat(added.service().hostname()).isEqualTo(DETAILS_HOST);
        assertThat(deleted.action()).isEqualTo(WatchEvent.Action.DELETE);
        assertThat(deleted.service().hostname()).isEqualTo(DETAILS_HOST);
        assertThat(deleted.checksum()).isEqualTo(server.serviceList("green-mesh").orElseThrow().checksum());
        assertThat(nextOutbound(channel)).isNull();

        channel.close();
        assertThat(server.watchCount("green-mesh")).isZero();
        assertThat(server.remotes()).singleElement().satisfies(remote -> assertThat(remote.connected()).isFalse());
        assertFalse(channel.finish());
    }

    @Test
    void removedPeerEndsTheWatchWithDeletesThenTheLastChunk() {
        EmbeddedChannel channel = channel();
        channel.writeInbound(request(HttpMethod.GET, "/v1/watch/green-mesh"));
        ((HttpResponse) channel.readOutbound()).headers();
        Map<String, String> noPeer = new LinkedHashMap<>(files(RATINGS));
        noPeer.remove("peers/green.yaml");
        FederationConfig withoutGreen = ConfigFixtures.load(noPeer,
                ConfigOptions.builder(ConfigFixtures.NAMESPACE).clock(ConfigFixtures.CLOCK).requirePeers(false).build());

        server.update(withoutGreen);
        channel.runPendingTasks();

        assertThat(readEvent(channel).action()).isEqualTo(WatchEvent.Action.DELETE);
        assertThat(nextOutbound(channel)).isSameAs(LastHttpContent.EMPTY_LAST_CONTENT);
        assertThat(channel.isOpen()).isFalse();
        assertThat(server.watchCount("green-mesh")).isZero();
        assertFalse(channel.finish());
    }

    @Test
    void closingTheServerEndsWatchesAndRefusesNewRequests() {
        EmbeddedChannel watching = channel();
        watching.writeInbound(request(HttpMethod.GET, "/v1/watch/green-mesh"));
        ((HttpResponse) watching.readOutbound()).headers();

        server.close();
        watching.runPendingTasks();

        assertThat(nextOutbound(watching)).isSameAs(LastHttpContent.EMPTY_LAST_CONTENT);
        assertThat(watching.isOpen()).isFalse();
        assertFalse(watching.finish());
        EmbeddedChannel late = channel();
        assertThat(statusOf(late, request(HttpMethod.GET, "/v1/watch/green-mesh")))
                .isEqualTo(HttpResponseStatus.SERVICE_UNAVAILABLE);
        assertFalse(late.finish());
    }

    @Test
    void slowWatcherIsClosedOnceUnwritableTooLong() {
        EmbeddedChannel channel = new EmbeddedChannel(
                new DiscoveryHttpHandler(server, Duration.ofSeconds(5), DiscoveryHttpHandler.DEFAULT_MAX_PENDING_BYTES));
        channel.freezeTime();
        channel.writeInbound(request(HttpMethod.GET, "/v1/watch/green-mesh"));
        ((HttpResponse) channel.readOutbound()).headers();
        channel.unsafe().outboundBuffer().setUserDefinedWritability(1, false);

        server.update(greenExporting(RATINGS_AND_DETAILS));
        channel.runPendingTasks();
        readEvent(channel);
        channel.advanceTimeBy(4, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();
        assertThat(channel.isOpen()).isTrue();
        channel.advanceTimeBy(1, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();

        assertThat(channel.isOpen()).isFalse();
        assertThat(server.watchCount("green-mesh")).isZero();
        assertFalse(channel.finish());
    }

    @Test
    void watcherWritableAgainIsNotClosed() {
        EmbeddedChannel channel = new EmbeddedChannel(
                new DiscoveryHttpHandler(server, Duration.ofSeconds(5), DiscoveryHttpHandler.DEFAULT_MAX_PENDING_BYTES));
        channel.freezeTime();
        channel.writeInbound(request(HttpMethod.GET, "/v1/watch/green-mesh"));
        ((HttpResponse) channel.readOutbound()).headers();
        channel.unsafe().outboundBuffer().setUserDefinedWritability(1, false);
        server.update(greenExporting(RATINGS_AND_DETAILS));
        channel.runPendingTasks();
        readEvent(channel);

        channel.unsafe().outboundBuffer().setUserDefinedWritability(1, true);
        channel.advanceTimeBy(10, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();

        assertThat(channel.isOpen()).isTrue();
        assertThat(server.watchCount("green-mesh")).isOne();
        channel.close();
        assertFalse(channel.finish());
    }

    @Test
    void watchOnTheWireIsChunkedWithOneEventPerChunk() {
        EmbeddedChannel channel = new EmbeddedChannel(new HttpServerCodec(), new DiscoveryHttpHandler(server));

        channel.writeInbound(Unpooled.copiedBuffer("GET /v1/watch/green-mesh HTTP/1.1\r\nHost: discovery\r\n\r\n",
                StandardCharsets.US_ASCII));
        String head = readAll(channel);
        server.update(greenExporting(RATINGS_AND_DETAILS));
        channel.runPendingTasks();
        String chunk = readAll(channel);

        assertThat(head).isEqualTo("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n"
                + "transfer-encoding: chunked\r\n\r\n");
        String line = DiscoveryJson.toJson(ExportCatalog.diff(ServiceListMessage.EMPTY,
                ServiceListMessage.of(List.of(server.serviceList("green-mesh").orElseThrow().service(DETAILS_HOST)
                        .orElseThrow()))).get(0)).replaceAll("\"checksum\":\\d+", "\"checksum\":"
                + DiscoveryChecksum.format(server.serviceList("green-mesh").orElseThrow().checksum())) + "\r\n";
        assertThat(chunk).isEqualTo(Integer.toHexString(line.length()) + "\r\n" + line + "\r\n");
        channel.close();
        assertFalse(channel.finish());
    }

    @Test
    void sourceDefaultsToTheRemoteAddress() {
        EmbeddedChannel channel = new EmbeddedChannel(new DiscoveryHttpHandler(server));

        assertThat(statusOf(channel, request(HttpMethod.GET, "/v1/services/green-mesh")))
                .isEqualTo(HttpResponseStatus.OK);

        assertThat(server.remotes()).extracting(RemoteWatchStatus::source)
                .containsExactly(String.valueOf(channel.remoteAddress()));
        assertFalse(channel.finish());
    }

    private static HttpResponseStatus statusOf(EmbeddedChannel channel, DefaultFullHttpRequest request) {
        channel.writeInbound(request);
        FullHttpResponse response = channel.readOutbound();
        try {
            return response.status();
        } finally {
            response.release();
        }
    }

    private static Object nextOutbound(EmbeddedChannel channel) {
        return channel.readOutbound();
    }

    private static WatchEvent readEvent(EmbeddedChannel channel) {
        HttpContent chunk = channel.readOutbound();
        try {
            assertThat(chunk).isNotInstanceOf(LastHttpContent.class);
            assertThat(chunk.content().toString(StandardCharsets.UTF_8)).endsWith("}\r\n");
            return DiscoveryJson.readWatchEvent(chunk.content());
        } finally {
            chunk.release();
        }
    }

    private static String readAll(EmbeddedChannel channel) {
        StringBuilder out = new StringBuilder();
        for (ByteBuf buf = channel.readOutbound(); buf != null; buf = channel.readOutbound()) {
            out.append(buf.toString(StandardCharsets.UTF_8));
            buf.release();
        }
        return out.toString();
    }
}
