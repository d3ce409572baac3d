package io.fedgate.ingress;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.ssl.AbstractSniHandler;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;

import io.fedgate.core.listener.DownstreamRefusal;
import io.fedgate.core.listener.AfterHandshakeHandler;
import io.fedgate.core.listener.DownstreamSniHandler;
import io.fedgate.core.listener.DownstreamReporter;
import io.fedgate.core.listener.RouteRefusedException;
import io.fedgate.core.relay.HoldReadsHandler;

/**
 * The service listener's filter-chain match: reads the ClientHello (bounded in size and time by Netty's
 * {@link AbstractSniHandler}), looks its server name up in the route table, and hands the connection on:
 * <ul>
 *   <li>terminate: replaced by an {@link SslHandler} of the route's peer (the buffered ClientHello flows into it),
 *       followed by an {@link AfterHandshakeHandler}, which connects upstream once the peer is authenticated;</li>
 *   <li>pass-through: connects upstream first (the lookup completes only then), and is replaced by the relay, so
 *       the ClientHello and everything after it reach the endpoint untouched.</li>
 * </ul>
 * A failed lookup ends in the {@code SniCompletionEvent} that {@link DownstreamReporter} reports.
 */
final class IngressSniHandler extends DownstreamSniHandler<IngressRoute> {
    static final String NAME = "sni";
    static final String TLS = "tls";

    private final ServiceListenerContext listener;
    private final DownstreamReporter reporter;
    /** Pass-through only: the upstream connected during the lookup. */
    private Channel upstream;

    IngressSniHandler(ServiceListenerContext listener, DownstreamReporter reporter) {
        super(listener.maxClientHello(), listener.handshakeTimeoutMillis());
        this.listener = listener;
        this.reporter = reporter;
    }

    @Override
    protected Future<IngressRoute> route(ChannelHandlerContext ctx, String hostname) {
        reporter.serverName(hostname);
        IngressRoute route;
        try {
            route = listener.routes().lease(ctx.channel()).lookup(hostname);
        } catch (RouteRefusedException e) {
            return ctx.executor().newFailedFuture(e);
        }
        reporter.peer(route.peer().name());
        if (!listener.connections().admitToPeer(ctx.channel(), route.peer().name())) {
            return ctx.executor().newFailedFuture(new RouteRefusedException(DownstreamRefusal.MAX_CONNECTIONS_PER_PEER, "peer " + route.peer().name() + " holds "
                    + listener.connections().limits().perPeer() + " connections (--max-connections-per-peer)"));
        }
        if (route.mode() == TlsMode.TERMINATE) {
            return ctx.executor().newSucceededFuture(route);
        }
        Promise<IngressRoute> connected = ctx.executor().newPromise();
        listener.connectUpstream(ctx.channel(), route).addListener((Future<Channel> f) -> {
            if (f.isSuccess()) {
                upstream = f.getNow();
                connected.setSuccess(route);
            } else {
                connected.setFailure(f.cause());
            }
        });
        return connected;
    }

    @Override
    protected void onLookupComplete(ChannelHandlerContext ctx, String hostname, Future<IngressRoute> future) {
        if (!future.isSuccess()) {
            return; // reported from the SniCompletionEvent; the reporter closes the connection
        }
        IngressRoute route = future.getNow();
        ChannelPipeline pipeline = ctx.pipeline();
        if (route.mode() == TlsMode.TERMINATE) {
            SslHandler ssl = route.serverContext().newHandler(ctx.alloc());
            ssl.setHandshakeTimeoutMillis(listener.handshakeTimeoutMillis());
            pipeline.addAfter(ctx.name(), AfterHandshakeHandler.NAME,
                    new AfterHandshakeHandler(downstream -> listener.connectAndRelay(downstream, route, reporter)));
            pipeline.addAfter(ctx.name(), HoldReadsHandler.NAME, new HoldReadsHandler());
            pipeline.replace(this, TLS, ssl);
            return;
        }
        Channel connected = upstream;
        upstream = null;
        // The buffered ClientHello moves into the holder, and from there, first, into the relay.
        pipeline.addAfter(ctx.name(), HoldReadsHandler.NAME, new HoldReadsHandler());
        pipeline.remove(this);
        listener.startRelay(ctx.channel(), connected, route, reporter);
    }

    @Override
    protected void handlerRemoved0(ChannelHandlerContext ctx) throws Exception {
        if (upstream != null) {
            upstream.close(); // removed without relaying: the downstream went away mid-lookup
            upstream = null;
        }
        super.handlerRemoved0(ctx);
    }
}
