package io.fedgate.core.listener;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.ReferenceCountUtil;

class HttpRequestTimeoutHandlerTest {
    private static final long REQUEST_MILLIS = 10_000;
    private static final long IDLE_MILLIS = 30_000;

    private final List<String> refusals = new ArrayList<>();
    private final List<HttpRequest> requests = new ArrayList<>();

    private EmbeddedChannel channel() {
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.freezeTime();
        channel.pipeline().addLast(new HttpServerCodec(),
                new HttpRequestTimeoutHandler.Timeouts(REQUEST_MILLIS, IDLE_MILLIS)
                        .newHandler((ch, reason, detail) -> refusals.add(reason + ": " + detail)),
                new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        if (msg instanceof HttpRequest request) {
                            requests.add(request);
                        }
                        ReferenceCountUtil.release(msg);
                    }
                });
        return channel;
    }

    private static void send(EmbeddedChannel channel, String text) {
        channel.writeInbound(Unpooled.copiedBuffer(text, StandardCharsets.US_ASCII));
    }

    private static void advance(EmbeddedChannel channel, long millis) {
        channel.advanceTimeBy(millis, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
    }

    @Test
    void halfARequestLineIsRefusedWhenTheRequestTimeoutEnds() {
        EmbeddedChannel channel = channel();
        send(channel, "GET /v1/servi");
        advance(channel, REQUEST_MILLIS - 1);
        assertThat(channel.isOpen()).isTrue();
        advance(channel, 1);
        assertThat(channel.isOpen()).isFalse();
        assertThat(refusals).containsExactly("request-timeout: no complete request within 10000 ms");
        assertFalse(channel.finish());
    }

    @Test
    void aSilentConnectionIsRefusedToo() {
        EmbeddedChannel channel = channel();
        advance(channel, REQUEST_MILLIS);
        assertThat(channel.isOpen()).isFalse();
        assertThat(refusals).hasSize(1);
        assertFalse(channel.finish());
    }

    @Test
    void anAnsweredConnectionIdleBetweenRequestsIsClosedWithoutARefusal() {
        EmbeddedChannel channel = channel();
        send(channel, "GET /v1/services/ HTTP/1.1\r\nHost: x\r\n\r\n");
        assertThat(requests).hasSize(1);
        advance(channel, IDLE_MILLIS * 10);
        assertThat(channel.isOpen()).as("a request in progress is never timed").isTrue();

        channel.writeOutbound(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK));
        releaseOutbound(channel);
        advance(channel, IDLE_MILLIS - 1);
        assertThat(channel.isOpen()).isTrue();
        send(channel, "GET /v1/services/ HTTP/1.1\r\nHost: x\r\n\r\n");
        advance(channel, IDLE_MILLIS * 2);
        assertThat(channel.isOpen()).as("the second request is in progress").isTrue();
        channel.writeOutbound(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK));
        releaseOutbound(channel);
        advance(channel, IDLE_MILLIS);
        assertThat(channel.isOpen()).isFalse();
        assertThat(refusals).as("idle after answers is not a refusal").isEmpty();
        assertFalse(channel.finish());
    }

    @Test
    void aStreamingResponseKeepsTheConnection() {
        EmbeddedChannel channel = channel();
        send(channel, "GET /v1/watch HTTP/1.1\r\nHost: x\r\n\r\n");
        channel.writeOutbound(new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK));
        releaseOutbound(channel);
        advance(channel, TimeUnit.HOURS.toMillis(3));
        assertThat(channel.isOpen()).isTrue();
        assertThat(refusals).isEmpty();
        channel.close();
        assertFalse(channel.finish());
    }

    @Test
    void theRequestTimeoutStartsAgainWhenTheHandshakeCompletes() {
        EmbeddedChannel channel = channel();
        advance(channel, REQUEST_MILLIS - 2_000);
        channel.pipeline().fireUserEventTriggered(SslHandshakeCompletionEvent.SUCCESS);
        advance(channel, REQUEST_MILLIS - 1);
        assertThat(channel.isOpen()).isTrue();
        advance(channel, 1);
        assertThat(channel.isOpen()).isFalse();
        assertThat(refusals).hasSize(1);
        assertFalse(channel.finish());
    }

    private static void releaseOutbound(EmbeddedChannel channel) {
        Object out;
        while ((out = channel.readOutbound()) != null) {
            ReferenceCountUtil.release(out);
        }
    }
}
