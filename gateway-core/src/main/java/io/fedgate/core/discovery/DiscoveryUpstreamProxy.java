package io.fedgate.core.discovery;

import static java.util.Objects.requireNonNull;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Queue;

import io.fedgate.core.config.HostPort;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.ssl.SslContext;
import io.netty.resolver.AddressResolverGroup;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;

/**
 * The downstream side of {@code --discovery-upstream HOST:PORT}: instead of answering discovery itself, the ingress
 * relays each (already authenticated and rewritten) request to an external discovery server over plain HTTP/1.1 and
 * streams the response back, a chunked watch included. Put it after an {@code HttpServerCodec} in place of
 * {@link DiscoveryHttpHandler}; one instance per downstream channel.
 *
 * <p>Each downstream connection gets its own upstream connection, opened at the first request on the downstream
 * channel's event loop (so the two channels share a thread and their state needs no synchronization). Requests are
 * relayed as they are, plus {@code X-Forwarded-For} set to the source (the {@link DiscoveryHttpHandler#SOURCE}
 * attribute, else the remote IP), which is how the reference's discovery server names remotes; responses are
 * relayed as they are and flushed per read, so each watch event goes out as it arrives. The downstream connection
 * lives as long as its upstream connection: a response that is not keep-alive, or the upstream closing (as it does
 * after ending a watch), closes the downstream connection once everything relayed is written.
 *
 * <p>Backpressure: while the downstream channel is unwritable, the upstream channel stops reading, so a slow client
 * holds back the upstream server instead of filling this gateway's memory.
 *
 * <p>Failures: an upstream that cannot be reached, or that closes before answering, is answered 502 Bad Gateway and
 * the downstream connection closed; one that closes in the middle of a response closes the downstream connection
 * (the watching client then reconnects and resyncs).
 */
public final class DiscoveryUpstreamProxy extends ChannelInboundHandlerAdapter {
    /** Default upstream connect timeout. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);

    private static final AsciiString X_FORWARDED_FOR = AsciiString.cached("x-forwarded-for");

    private final HostPort upstream;
    private final Class<? extends Channel> channelType;
    private final int connectTimeoutMillis;
    /** Null for plain HTTP upstream; else the client context and server name of an mTLS upstream. */
    private final SslContext upstreamTls;
    private final String serverName;
    /** Null for Netty's default resolver (which blocks the event loop on a DNS name). */
    private AddressResolverGroup<?> resolver;

    // All confined to the downstream event loop, which the upstream channel shares.
    private ChannelHandlerContext downstream;
    private Channel upstreamChannel;
    private boolean connected;
    private final Queue<Object> pending = new ArrayDeque<>();
    private int outstandingRequests;
    private boolean responseStarted;
    private boolean closeAfterResponse;

    /** A proxy to {@code upstream} over NIO sockets with the default connect timeout. */
    public DiscoveryUpstreamProxy(HostPort upstream) {
        this(upstream, NioSocketChannel.class, DEFAULT_CONNECT_TIMEOUT);
    }

    /**
     * A proxy to {@code upstream} over channels of {@code channelType}, which must suit the downstream channel's
     * event loop (e.g. {@code NioSocketChannel} for an NIO loop).
     */
    public DiscoveryUpstreamProxy(HostPort upstream, Class<? extends Channel> channelType, Duration connectTimeout) {
        this(upstream, channelType, connectTimeout, null, null);
    }

    /**
     * A proxy to {@code upstream} over TLS with {@code upstreamTls} (a client context), naming {@code serverName} in
     * the ClientHello: how an egress forwards a local discovery client's requests to its peer over mTLS. A null
     * {@code upstreamTls} means plain HTTP.
     */
    public DiscoveryUpstreamProxy(HostPort upstream, Class<? extends Channel> channelType, Duration connectTimeout,
                                  SslContext upstreamTls, String serverName) {
        this.upstreamTls = upstreamTls;
        this.serverName = serverName;
        this.upstream = requireNonNull(upstream, "upstream");
        this.channelType = requireNonNull(channelType, "channelType");
        requireNonNull(connectTimeout, "connectTimeout");
        if (connectTimeout.isNegative() || connectTimeout.isZero()) {
            throw new IllegalArgumentException("connectTimeout: " + connectTimeout + " (expected: > 0)");
        }
        this.connectTimeoutMillis = (int) Math.min(Integer.MAX_VALUE, connectTimeout.toMillis());
    }

    /** Resolves an upstream DNS name without blocking the event loop; returns this proxy. */
    public DiscoveryUpstreamProxy resolver(AddressResolverGroup<?> resolver) {
        this.resolver = requireNonNull(resolver, "resolver");
        return this;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.downstream = ctx;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof HttpObject)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof HttpRequest request) {
            if (request.decoderResult().isFailure()) {
                ReferenceCountUtil.release(msg);
                reply(HttpResponseStatus.BAD_REQUEST, "malformed request");
                return;
            }
            request.headers().set(X_FORWARDED_FOR, source(ctx));
            outstandingRequests++;
        }
        if (connected) {
            upstreamChannel.write(msg); // The request now belongs to the upstream pipeline.
        } else {
            pending.add(msg); // Released by connectFailed or channelInactive if it is never written.
            if (upstreamChannel == null) {
                connect(ctx);
            }
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (connected) {
            upstreamChannel.flush();
        }
    }

    private void connect(ChannelHandlerContext ctx) {
        Bootstrap bootstrap = new Bootstrap()
                .group(ctx.channel().eventLoop())
                .channel(channelType)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, connectTimeoutMillis)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel channel) {
                        if (upstreamTls != null) {
                            // Requests written before the handshake ends wait in the TLS handler.
                            channel.pipeline().addLast(upstreamTls.newHandler(channel.alloc(),
                                    serverName == null ? upstream.host() : serverName, upstream.port()));
                        }
                        channel.pipeline().addLast(new HttpClientCodec(), new UpstreamResponseHandler(
                                DiscoveryUpstreamProxy.this));
                    }
                });
        if (resolver != null) {
            bootstrap.resolver(resolver);
        }
        ChannelFuture connect = bootstrap.connect(upstream.host(), upstream.port());
        upstreamChannel = connect.channel();
        connect.addListener((ChannelFutureListener) future -> {
            if (future.channel() != upstreamChannel) {
                future.channel().close(); // Superseded: the downstream closed meanwhile.
            } else if (future.isSuccess()) {
                connected = true;
                future.channel().config().setAutoRead(downstream.channel().isWritable());
                while (!pending.isEmpty()) {
                    future.channel().write(pending.poll());
                }
                future.channel().flush();
            } else {
                upstreamChannel = null;
                releasePending();
                reply(HttpResponseStatus.BAD_GATEWAY, "discovery upstream " + upstream + " unreachable");
            }
        });
    }

    /** A response part read from {@code channel}: relayed downstream, which now owns it. */
    void upstreamRead(Channel channel, HttpObject msg) {
        if (channel != upstreamChannel) {
            ReferenceCountUtil.release(msg); // A connection this proxy already let go of.
            return;
        }
        if (msg instanceof HttpResponse response) {
            responseStarted = true;
            closeAfterResponse = !HttpUtil.isKeepAlive(response);
        }
        boolean last = msg instanceof LastHttpContent;
        downstream.write(msg);
        if (last) {
            outstandingRequests = Math.max(0, outstandingRequests - 1);
            responseStarted = false;
            if (closeAfterResponse) {
                downstream.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
            }
        }
        if (!downstream.channel().isWritable()) {
            channel.config().setAutoRead(false);
        }
    }

    /** The upstream read burst ended: send what was relayed. */
    void upstreamReadComplete() {
        downstream.flush();
    }

    /** The upstream connection closed: so does the downstream one, after a 502 if a request got no answer. */
    void upstreamClosed(Channel channel) {
        if (channel != upstreamChannel) {
            return;
        }
        upstreamChannel = null;
        connected = false;
        if (outstandingRequests > 0 && !responseStarted) {
            reply(HttpResponseStatus.BAD_GATEWAY, "discovery upstream " + upstream + " closed without answering");
        } else {
            downstream.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (connected && ctx.channel().isWritable()) {
            upstreamChannel.config().setAutoRead(true);
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closeUpstream();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        closeUpstream();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        closeUpstream();
        ctx.close();
    }

    private void closeUpstream() {
        releasePending();
        Channel channel = upstreamChannel;
        upstreamChannel = null;
        connected = false;
        if (channel != null) {
            channel.close();
        }
    }

    private void releasePending() {
        for (Object msg = pending.poll(); msg != null; msg = pending.poll()) {
            ReferenceCountUtil.release(msg);
        }
    }

    private void reply(HttpResponseStatus status, String text) {
        outstandingRequests = 0;
        if (!downstream.channel().isActive()) {
            return;
        }
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                ByteBufUtil.writeUtf8(downstream.alloc(), text + "\n"));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.TEXT_PLAIN);
        HttpUtil.setContentLength(response, response.content().readableBytes());
        HttpUtil.setKeepAlive(response, false);
        downstream.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }

    private static String source(ChannelHandlerContext ctx) {
        return DiscoveryHttpHandler.source(ctx.channel());
    }
}
