package io.fedgate.egress;

import java.util.List;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.ssl.AbstractSniHandler;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.Future;

import io.fedgate.core.listener.DownstreamRefusal;
import io.fedgate.core.listener.AfterHandshakeHandler;
import io.fedgate.core.listener.DownstreamReporter;
import io.fedgate.core.listener.RouteRefusedException;
import io.fedgate.core.relay.HoldReadsHandler;

/**
 * The egress service listener's route match: reads a local workload's ClientHello (bounded in size and time by
 * Netty's {@link AbstractSniHandler}), looks its server name (the import host) up in the route table, and replaces
 * itself with an {@link SslHandler} of the egress's server context (the buffered ClientHello flows into it),
 * followed by an {@link AfterHandshakeHandler}. A failed lookup ends in the {@code SniCompletionEvent} that
 * {@link DownstreamReporter} reports.
 */
final class EgressSniHandler extends AbstractSniHandler<EgressRoute> {
    static final String NAME = "sni";
    static final String TLS = "tls";
    private static final int TLS_HANDSHAKE_RECORD = 0x16;

    private final EgressListenerContext listener;
    private final DownstreamReporter reporter;
    /** The first byte the workload sent, or -1 before any. */
    private int firstByte = -1;

    EgressSniHandler(EgressListenerContext listener, DownstreamReporter reporter) {
        super(listener.maxClientHello(), listener.handshakeTimeoutMillis());
        this.listener = listener;
        this.reporter = reporter;
    }

    /** {@code AUTO_READ} is off on every relayed channel: ask for the ClientHello. */
    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        super.channelActive(ctx);
        ctx.read();
    }

    /**
     * Netty takes any first byte but 0x14/0x15 for a ClientHello without a server name: a workload speaking
     * plaintext (say, HTTP without TLS origination) would be refused as {@code no-sni}. As on the ingress, the
     * first byte tells it apart.
     */
    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
        if (firstByte < 0 && in.isReadable()) {
            firstByte = in.getUnsignedByte(in.readerIndex());
        }
        super.decode(ctx, in, out);
    }

    @Override
    protected Future<EgressRoute> lookup(ChannelHandlerContext ctx, String hostname) {
        reporter.serverName(hostname);
        if (firstByte != TLS_HANDSHAKE_RECORD) {
            return ctx.executor().newFailedFuture(new RouteRefusedException(DownstreamRefusal.NOT_TLS,
                    "the first byte is 0x" + Integer.toHexString(firstByte) + ", not a TLS handshake record"));
        }
        try {
            EgressRoute route = listener.routes().lease(ctx.channel()).lookup(hostname);
            reporter.peer(route.peer().name());
            return ctx.executor().newSucceededFuture(route);
        } catch (RouteRefusedException e) {
            return ctx.executor().newFailedFuture(e);
        }
    }

    @Override
    protected void onLookupComplete(ChannelHandlerContext ctx, String hostname, Future<EgressRoute> future) {
        if (!future.isSuccess()) {
            return; // reported from the SniCompletionEvent; the reporter closes the connection
        }
        SslHandler ssl = listener.serverContext().newHandler(ctx.alloc());
        ssl.setHandshakeTimeoutMillis(listener.handshakeTimeoutMillis());
        ChannelPipeline pipeline = ctx.pipeline();
        EgressRoute route = future.getNow();
        pipeline.addAfter(ctx.name(), AfterHandshakeHandler.NAME,
                new AfterHandshakeHandler(downstream -> listener.connectAndRelay(downstream, route, reporter)));
        pipeline.addAfter(ctx.name(), HoldReadsHandler.NAME, new HoldReadsHandler());
        pipeline.replace(this, TLS, ssl);
    }
}
