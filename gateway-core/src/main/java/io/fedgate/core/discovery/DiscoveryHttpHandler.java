package io.fedgate.core.discovery;

import static java.util.Objects.requireNonNull;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.Optional;

import io.fedgate.core.internal.discovery.WatchStream;
import io.fedgate.core.listener.ConnectionRecord;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;

/**
 * Serves the discovery API of a {@link DiscoveryServer} over HTTP/1.1. Put it after an {@code HttpServerCodec} (an
 * aggregator is not needed) and after the handler that authenticates the peer and rewrites {@code /v1/services/}
 * and {@code /v1/watch} to name the peer; one instance per channel.
 *
 * <ul>
 *   <li>{@code GET /v1/services/<peer>}: 200, {@code application/json}, the peer's {@link ServiceListMessage} with a
 *       {@code Content-Length}; keep-alive is honoured. Records a full sync for the source.</li>
 *   <li>{@code GET /v1/watch/<peer>}: 200, {@code application/json}, chunked, flushed at once; then one
 *       {@link WatchEvent} line per chunk as changes happen. When the peer stops being served or the server closes,
 *       the last chunk is written and the connection closed; when the connection closes first, the watch is
 *       unregistered. A watcher too slow to read is cut off (see {@link WatchStream}); it resyncs on reconnecting.
 *       Requests arriving on a connection while it streams a watch are discarded.</li>
 *   <li>A peer that is not served: 400. Any other path: 404. Another method on a discovery path: 405. A request the
 *       codec could not decode: 400, then close. After {@link DiscoveryServer#close()}: 503.</li>
 * </ul>
 *
 * The remote's source for status reporting is the channel attribute {@link #SOURCE} if an earlier handler set it
 * (e.g. to a trusted forwarded address), else the IP address of the channel's remote end.
 */
public final class DiscoveryHttpHandler extends ChannelInboundHandlerAdapter {
    /** Set on the channel to name the remote in status reports; defaults to the remote IP address. */
    public static final AttributeKey<String> SOURCE = AttributeKey.valueOf(DiscoveryHttpHandler.class, "source");
    /** Default for how long a watch channel may stay unwritable before it is closed. */
    public static final Duration DEFAULT_MAX_UNWRITABLE = Duration.ofSeconds(30);
    /** Default for how many bytes beyond the low write watermark a watch may leave unwritten before it is closed. */
    public static final long DEFAULT_MAX_PENDING_BYTES = 4L << 20;

    private static final String SERVICES_PREFIX = "/v1/services/";
    private static final String WATCH_PREFIX = "/v1/watch/";

    private final DiscoveryServer server;
    private final long maxUnwritableNanos;
    private final long maxPendingBytes;
    private WatchStream watch; // Event-loop confined, like everything in a handler.

    /** A handler for {@code server} with the default slow-watcher bounds. */
    public DiscoveryHttpHandler(DiscoveryServer server) {
        this(server, DEFAULT_MAX_UNWRITABLE, DEFAULT_MAX_PENDING_BYTES);
    }

    /**
     * A handler for {@code server} that closes a watch whose channel stays unwritable for {@code maxUnwritable} or
     * leaves more than {@code maxPendingBytes} unwritten.
     */
    public DiscoveryHttpHandler(DiscoveryServer server, Duration maxUnwritable, long maxPendingBytes) {
        this.server = requireNonNull(server, "server");
        requireNonNull(maxUnwritable, "maxUnwritable");
        if (maxUnwritable.isNegative() || maxUnwritable.isZero()) {
            throw new IllegalArgumentException("maxUnwritable: " + maxUnwritable + " (expected: > 0)");
        }
        if (maxPendingBytes < 0) {
            throw new IllegalArgumentException("maxPendingBytes: " + maxPendingBytes + " (expected: >= 0)");
        }
        this.maxUnwritableNanos = maxUnwritable.toNanos();
        this.maxPendingBytes = maxPendingBytes;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            // Request bodies (HttpContent) are not used; a request during a watch has nowhere to be answered.
            if (msg instanceof HttpRequest request && watch == null) {
                handle(ctx, request);
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void handle(ChannelHandlerContext ctx, HttpRequest request) {
        if (request.decoderResult().isFailure()) {
            respond(ctx, request, HttpResponseStatus.BAD_REQUEST, "malformed request", false);
            return;
        }
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        String path = new QueryStringDecoder(request.uri()).path();
        boolean list = path.startsWith(SERVICES_PREFIX);
        String peer;
        if (list) {
            peer = path.substring(SERVICES_PREFIX.length());
        } else if (path.startsWith(WATCH_PREFIX)) {
            peer = path.substring(WATCH_PREFIX.length());
        } else {
            peer = "";
        }
        if (peer.isEmpty() || peer.indexOf('/') >= 0) {
            respond(ctx, request, HttpResponseStatus.NOT_FOUND, "no such discovery resource: " + path, keepAlive);
        } else if (!HttpMethod.GET.equals(request.method())) {
            respond(ctx, request, HttpResponseStatus.METHOD_NOT_ALLOWED, request.method() + " not allowed", keepAlive);
        } else if (server.isClosed()) {
            respond(ctx, request, HttpResponseStatus.SERVICE_UNAVAILABLE, "discovery server closed", false);
        } else if (list) {
            serviceList(ctx, request, peer, keepAlive);
        } else {
            watch(ctx, request, peer, keepAlive);
        }
    }

    private void serviceList(ChannelHandlerContext ctx, HttpRequest request, String peer, boolean keepAlive) {
        Optional<ServiceListMessage> list = server.fullSync(peer, source(ctx));
        if (list.isEmpty()) {
            respond(ctx, request, HttpResponseStatus.BAD_REQUEST, "unknown peer: " + peer, keepAlive);
            return;
        }
        ByteBuf body = DiscoveryJson.encode(list.get(), ctx.alloc());
        FullHttpResponse response = new DefaultFullHttpResponse(request.protocolVersion(), HttpResponseStatus.OK, body);
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
        send(ctx, response, keepAlive);
    }

    private void watch(ChannelHandlerContext ctx, HttpRequest request, String peer, boolean keepAlive) {
        WatchStream stream = new WatchStream(ctx, maxUnwritableNanos, maxPendingBytes);
        Optional<DiscoveryServer.Watch> registration = server.watch(peer, source(ctx), stream);
        if (registration.isEmpty()) {
            respond(ctx, request, HttpResponseStatus.BAD_REQUEST, "unknown peer: " + peer, keepAlive);
            return;
        }
        // Events reported from now on run as event-loop tasks, hence after this header.
        stream.registered(registration.get());
        watch = stream;
        HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
        HttpUtil.setTransferEncodingChunked(response, true);
        ctx.writeAndFlush(response);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (watch != null) {
            watch.writabilityChanged();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        stopWatch();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        stopWatch();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        stopWatch();
        ctx.close();
    }

    private void stopWatch() {
        if (watch != null) {
            watch.finish();
        }
    }

    private static String source(ChannelHandlerContext ctx) {
        return source(ctx.channel());
    }

    /**
     * The host a discovery client connects from: the {@link #SOURCE} attribute if a handler set it, else the
     * downstream address of the connection's record (the PROXY protocol's source, when the listener takes it), else
     * the socket's peer.
     */
    public static String source(Channel channel) {
        String source = channel.attr(SOURCE).get();
        if (source != null) {
            return source;
        }
        ConnectionRecord record = ConnectionRecord.of(channel);
        SocketAddress remote = record != null && record.downstreamSocketAddress() != null
                ? record.downstreamSocketAddress() : channel.remoteAddress();
        if (remote instanceof InetSocketAddress address) {
            return address.getAddress() != null ? address.getAddress().getHostAddress() : address.getHostString();
        }
        return String.valueOf(remote);
    }

    private static void respond(ChannelHandlerContext ctx, HttpRequest request, HttpResponseStatus status,
                                String text, boolean keepAlive) {
        ByteBuf body = ByteBufUtil.writeUtf8(ctx.alloc(), text + "\n");
        FullHttpResponse response = new DefaultFullHttpResponse(request.protocolVersion(), status, body);
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.TEXT_PLAIN);
        if (status == HttpResponseStatus.METHOD_NOT_ALLOWED) {
            response.headers().set(HttpHeaderNames.ALLOW, HttpMethod.GET.name());
        }
        send(ctx, response, keepAlive);
    }

    private static void send(ChannelHandlerContext ctx, FullHttpResponse response, boolean keepAlive) {
        HttpUtil.setContentLength(response, response.content().readableBytes());
        HttpUtil.setKeepAlive(response, keepAlive);
        if (keepAlive) {
            ctx.writeAndFlush(response);
        } else {
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }
}
