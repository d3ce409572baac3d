package io.fedgate.egress;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.ssl.AbstractSniHandler;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.Future;

import io.fedgate.core.listener.AfterHandshakeHandler;
import io.fedgate.core.listener.DownstreamSniHandler;
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
final class EgressSniHandler extends DownstreamSniHandler<EgressRoute> {
    static final String NAME = "sni";
    static final String TLS = "tls";

    private final EgressListenerContext listener;
    private final DownstreamReporter reporter;

    EgressSniHandler(EgressListenerContext listener, DownstreamReporter reporter) {
        super(listener.maxClientHello(), listener.handshakeTimeoutMillis());
        this.listener = listener;
        this.reporter = reporter;
    }

    @Override
    protected Future<EgressRoute> route(ChannelHandlerContext ctx, String hostname) {
        reporter.serverName(hostname);
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
