package io.fedgate.core.discovery;

import static io.fedgate.core.discovery.DiscoveryFixtures.RED_INGRESS;
import static io.fedgate.core.discovery.DiscoveryFixtures.greenExporting;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.fedgate.core.config.HostPort;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;

/** The upstream proxy between real loopback sockets: client, proxy, and a discovery server behind it. */
class DiscoveryUpstreamProxyTest {
    private static final String RATINGS = "- type: NameSelector\n  nameSelector:\n    namespace: bookinfo\n"
            + "    name: ratings\n";
    private static final String RATINGS_AND_DETAILS = RATINGS
            + "- type: NameSelector\n  nameSelector:\n    namespace: bookinfo\n    name: details\n";
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final DiscoveryServer server = DiscoveryServer.builder().serviceAccounts(List.of(RED_INGRESS))
            .build(greenExporting(RATINGS));

    @AfterEach
    void shutDown() {
        server.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private int listen(Supplier<ChannelHandler> handler) {
        Channel channel = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(), handler.get());
                    }
                })
                .bind(InetAddress.getLoopbackAddress(), 0).syncUninterruptibly().channel();
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    private int proxyTo(int upstreamPort) {
        HostPort upstream = new HostPort(InetAddress.getLoopbackAddress().getHostAddress(), upstreamPort);
        return listen(() -> new DiscoveryUpstreamProxy(upstream, NioSocketChannel.class, Duration.ofSeconds(2)));
    }

    @Test
    void relaysTheServiceList() throws IOException {
        int proxy = proxyTo(listen(() -> new DiscoveryHttpHandler(server)));

        try (Socket client = connect(proxy)) {
            send(client, "GET /v1/services/green-mesh HTTP/1.1\r\nHost: discovery\r\n\r\n");
            String expected = DiscoveryJson.toJson(server.serviceList("green-mesh").orElseThrow());
            String response = readUntil(client, expected);

            assertThat(response).startsWith("HTTP/1.1 200 OK\r\n").contains("content-type: application/json\r\n")
                    .contains("content-length: " + expected.length() + "\r\n").endsWith("\r\n\r\n" + expected);

            send(client, "GET /v1/services/blue-mesh HTTP/1.1\r\nHost: discovery\r\n\r\n");
            assertThat(readUntil(client, "unknown peer: blue-mesh\n")).startsWith("HTTP/1.1 400 Bad Request\r\n");
        }
    }

    @Test
    void streamsAWatchAndItsEnd() throws IOException {
        int proxy = proxyTo(listen(() -> new DiscoveryHttpHandler(server)));

        try (Socket client = connect(proxy)) {
            send(client, "GET /v1/watch/green-mesh HTTP/1.1\r\nHost: discovery\r\n\r\n");
            assertThat(readUntil(client, "\r\n\r\n")).startsWith("HTTP/1.1 200 OK\r\n")
                    .contains("transfer-encoding: chunked\r\n");
            awaitWatches(1);

            server.update(greenExporting(RATINGS_AND_DETAILS));
            String added = readUntil(client, "}\r\n\r\n");
            server.close();
            String end = readUntil(client, "0\r\n\r\n");

            assertThat(added).contains("{\"action\":\"add\",\"service\":{\"name\":\"details\"");
            assertThat(end).isEqualTo("0\r\n\r\n");
            assertThat(client.getInputStream().read()).isEqualTo(-1);
        }
    }

    @Test
    void upstreamLearnsTheSourceFromXForwardedFor() throws IOException {
        BlockingQueue<String> forwardedFor = new LinkedBlockingQueue<>();
        int upstream = listen(() -> new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (msg instanceof HttpRequest request) {
                    forwardedFor.add(String.valueOf(request.headers().get("x-forwarded-for")));
                    FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                            HttpResponseStatus.OK, Unpooled.EMPTY_BUFFER);
                    HttpUtil.setContentLength(response, 0);
                    ctx.writeAndFlush(response);
                }
                ReferenceCountUtil.release(msg);
            }
        });
        int proxy = proxyTo(upstream);

        try (Socket client = connect(proxy)) {
            send(client, "GET /v1/services/green-mesh HTTP/1.1\r\nHost: discovery\r\nX-Forwarded-For: 6.6.6.6\r\n\r\n");

            assertThat(readUntil(client, "\r\n\r\n")).startsWith("HTTP/1.1 200 OK\r\n");
            assertThat(forwardedFor.poll()).isEqualTo(InetAddress.getLoopbackAddress().getHostAddress());
        }
    }

    @Test
    void unreachableUpstreamIsBadGateway() throws IOException {
        int unused;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            unused = socket.getLocalPort();
        }
        int proxy = proxyTo(unused);

        try (Socket client = connect(proxy)) {
            send(client, "GET /v1/services/green-mesh HTTP/1.1\r\nHost: discovery\r\n\r\n");

            assertThat(readUntil(client, "unreachable\n")).startsWith("HTTP/1.1 502 Bad Gateway\r\n");
            assertThat(client.getInputStream().read()).isEqualTo(-1);
        }
    }

    @Test
    void closedClientClosesTheUpstreamWatch() throws IOException {
        int proxy = proxyTo(listen(() -> new DiscoveryHttpHandler(server)));

        try (Socket client = connect(proxy)) {
            send(client, "GET /v1/watch/green-mesh HTTP/1.1\r\nHost: discovery\r\n\r\n");
            readUntil(client, "\r\n\r\n");
            awaitWatches(1);
        }

        awaitWatches(0);
    }

    private void awaitWatches(int count) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (server.watchCount("green-mesh") != count) {
            assertThat(System.nanoTime()).as("watch count %d", count).isLessThan(deadline);
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    private static Socket connect(int port) throws IOException {
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), port);
        socket.setSoTimeout((int) TIMEOUT.toMillis());
        return socket;
    }

    private static void send(Socket socket, String text) throws IOException {
        socket.getOutputStream().write(text.getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
    }

    /** Reads byte by byte until the text read ends with {@code end}; fails after {@link #TIMEOUT}. */
    private static String readUntil(Socket socket, String end) throws IOException {
        InputStream in = socket.getInputStream();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            while (!out.toString(StandardCharsets.UTF_8).endsWith(end)) {
                int b = in.read();
                if (b < 0) {
                    throw new AssertionError("end of stream before '" + end + "', after: " + out);
                }
                out.write(b);
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("timed out waiting for '" + end + "', after: " + out, e);
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
