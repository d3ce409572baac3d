package io.fedgate.core.discovery;

import static io.fedgate.core.discovery.DiscoveryFixtures.RED_INGRESS;
import static io.fedgate.core.discovery.DiscoveryFixtures.greenExporting;

import java.util.ArrayList;
import java.util.List;

import com.code_intelligence.jazzer.junit.FuzzTest;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;

import io.fedgate.core.testing.LeakCheckingAllocator;

/**
 * The built-in discovery server's HTTP front takes whatever a peer sends after its TLS handshake: any request bytes,
 * through {@code HttpServerCodec} into {@link DiscoveryHttpHandler}, must be answered with well-formed HTTP
 * responses (as an HTTP client decodes them) or a close, with no exception out of the pipeline, no buffer leaked
 * and no watch left registered once the connection is gone. Seeds: the protocol's requests (list, watch, pipelined,
 * HTTP/1.0), other methods and paths, a request with a chunked body, and broken request lines and headers.
 */
class DiscoveryHttpHandlerFuzzTest {
    private static final String RATINGS = "- type: NameSelector\n  nameSelector:\n    namespace: bookinfo\n"
            + "    name: ratings\n";
    private static final DiscoveryServer SERVER = DiscoveryServer.builder().serviceAccounts(List.of(RED_INGRESS))
            .build(greenExporting(RATINGS));

    static {
        LeakCheckingAllocator.failOnNettyLeakReports();
    }

    @FuzzTest(maxDuration = "10s")
    void anyRequestBytesGetResponsesOrAClose(byte[] input) {
        LeakCheckingAllocator alloc = new LeakCheckingAllocator();
        RequestLog requests = new RequestLog();
        EmbeddedChannel channel = alloc.newChannel(ch -> {
            ch.attr(DiscoveryHttpHandler.SOURCE).set("10.0.0.7");
            ch.pipeline().addLast(new HttpServerCodec(), requests, new DiscoveryHttpHandler(SERVER));
        });
        int half = input.length / 2;
        channel.writeInbound(alloc.heapBuffer(half).writeBytes(input, 0, half));
        if (channel.isOpen()) {
            channel.writeInbound(alloc.heapBuffer(input.length - half).writeBytes(input, half, input.length - half));
        }
        channel.runPendingTasks();
        boolean closed = !channel.isOpen();
        List<ByteBuf> written = new ArrayList<>();
        for (Object out; (out = channel.readOutbound()) != null; ) {
            written.add((ByteBuf) out);
        }
        int responses = decodeResponses(requests.methods, written);
        if (!requests.methods.isEmpty() && responses == 0 && !closed) {
            throw new AssertionError(requests.methods.size() + " requests, but no response and no close");
        }
        channel.finishAndReleaseAll();
        if (SERVER.watchCount("green-mesh") != 0) {
            throw new AssertionError("a watch stayed registered after its connection closed");
        }
        alloc.assertAllReleased();
    }

    /**
     * Decodes what the server wrote as an HTTP client would after sending requests of {@code methods} (a response
     * to HEAD has no body), and releases it; returns the number of responses.
     */
    private static int decodeResponses(List<HttpMethod> methods, List<ByteBuf> written) {
        EmbeddedChannel client = new EmbeddedChannel(new HttpClientCodec());
        try {
            for (HttpMethod method : methods) {
                client.writeOutbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, "/"));
            }
            for (Object request; (request = client.readOutbound()) != null; ) {
                ReferenceCountUtil.release(request);
            }
            for (ByteBuf bytes : written) {
                client.writeInbound(bytes);
            }
            int responses = 0;
            for (Object in; (in = client.readInbound()) != null; ) {
                try {
                    if (((HttpObject) in).decoderResult().isFailure()) {
                        throw new AssertionError("the server wrote malformed HTTP",
                                ((HttpObject) in).decoderResult().cause());
                    }
                    if (in instanceof HttpResponse) {
                        responses++;
                    }
                } finally {
                    ReferenceCountUtil.release(in);
                }
            }
            return responses;
        } finally {
            client.finishAndReleaseAll();
        }
    }

    /** Notes the method of each request the codec passes on to the handler. */
    private static final class RequestLog extends ChannelInboundHandlerAdapter {
        final List<HttpMethod> methods = new ArrayList<>();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof HttpRequest) {
                methods.add(((HttpRequest) msg).method());
            }
            ctx.fireChannelRead(msg);
        }
    }
}
