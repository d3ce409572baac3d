package io.fedgate.core.listener;

import static java.util.Objects.requireNonNull;

import java.util.logging.Logger;


import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.ssl.SniCompletionEvent;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;

import io.fedgate.core.metrics.GatewayMetrics;
import io.fedgate.core.relay.Relay;
import io.fedgate.core.spiffe.SpiffeId;
import io.fedgate.core.trust.SpiffeTrustManager;
import io.fedgate.core.status.RefusalLog;

/**
 * Last in a service-listener pipeline until the relay starts: remembers what is known about the downstream
 * connection (address, server name, route) and, if the connection ends before a relay is established, logs it once
 * and counts it with a reason code: one of {@link DownstreamRefusal}, classified from the failure by
 * {@link DownstreamRefusal#classify}, or the TLS identity refusal it finds ({@code spiffe-id-mismatch}, ...).
 */
public final class DownstreamReporter extends ChannelInboundHandlerAdapter {
    public static final String NAME = "downstream-reporter";

    private static final Logger LOG = Logger.getLogger("io.fedgate.core.listener.Listener");

    private final ConnectionRecord record;
    private final String listener;
    private final DownstreamConnections connections;
    private final GatewayMetrics metrics;
    private final RefusalLog refusals;
    private final boolean doneAfterHandshake;
    private boolean settled;
    private boolean requestRefused;

    /**
     * @param record             the connection's record, from {@link DownstreamConnections#admit}; its listener
     *                           names the connection in logs and metrics
     * @param doneAfterHandshake whether the reporter steps aside after a successful TLS handshake (the discovery
     *                           listener answers everything after that in HTTP); the service listener keeps it
     *                           until the relay starts
     */
    public DownstreamReporter(ConnectionRecord record, DownstreamConnections connections, RefusalLog refusals,
                              boolean doneAfterHandshake) {
        this.record = requireNonNull(record, "record");
        this.listener = record.listener();
        this.connections = requireNonNull(connections, "connections");
        this.metrics = connections.metrics();
        this.refusals = requireNonNull(refusals, "refusals");
        this.doneAfterHandshake = doneAfterHandshake;
    }

    /** The server name the downstream asked for, once known. */
    public void serverName(String serverName) {
        record.serverName(serverName);
    }

    /** The peer the downstream's route leads to (or comes from), once known; {@code unknown} until then. */
    public void peer(String peer) {
        record.peer(peer);
    }

    /**
     * Joins {@code downstream} to its connected {@code upstream}: the reporter steps aside, and the relay reports
     * the connection's end to Istio's TCP meters and the access log. Call on the event loop.
     *
     * @param peer      the peer the connection belongs to
     * @param direction {@code inbound} (ingress) or {@code outbound} (egress), Istio's label
     * @param service   the destination service, as metrics name it
     * @param cluster   the upstream cluster, as the access log names it
     */
    public void relay(Channel downstream, Channel upstream, String peer, String direction, String service,
                      String cluster) {
        if (!downstream.isActive()) {
            upstream.close(); // the downstream left while we were connecting
            return;
        }
        relayStarted(downstream.pipeline().context(this));
        record.peer(peer);
        record.relayStarted(cluster, upstream.remoteAddress());
        metrics.connectionOpened(peer, direction, service);
        Relay.start(downstream, upstream, relay -> {
            metrics.connectionClosed(peer, direction, service, relay.bytesFromUpstream(), relay.bytesFromDownstream());
            connections.relayEnded(record, relay.bytesFromDownstream(), relay.bytesFromUpstream(), relay.failure());
        });
    }

    /** The relay (or the HTTP layer) took over: from here the connection's end is not a refusal. */
    public void relayStarted(ChannelHandlerContext ctx) {
        settled = true;
        ctx.pipeline().remove(this);
    }

    /** Logs and counts a refusal once, and closes the connection. */
    public void refuse(Channel channel, String reason, String detail) {
        if (settled) {
            return;
        }
        settled = true;
        report(reason, detail);
        channel.close();
    }

    /**
     * Logs and counts, once, a refusal by the HTTP layer after the handshake (a 403 to an identity that is not a
     * served peer's, a request that never completed), which the access log then shows as {@code refused}; the
     * caller closes the connection once its answer, if any, is written.
     */
    public void refuseRequest(Channel channel, String reason, String detail) {
        if (requestRefused) {
            return;
        }
        requestRefused = true;
        report(reason, detail);
    }

    private void report(String reason, String detail) {
        String peer = record.peer() == null ? RefusalLog.UNKNOWN_PEER : record.peer();
        record.refused(reason, detail);
        metrics.downstreamRefused(listener, reason, peer);
        refusals.refused(peer, listener, reason, detail);
        LOG.info(() -> "refused listener=" + listener + " downstream=" + quoted(record.downstreamAddress()) + " sni="
                + quoted(record.serverName()) + " peer=" + peer + " reason=" + reason + ": " + detail);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof SniCompletionEvent) {
            SniCompletionEvent sni = (SniCompletionEvent) evt;
            record.serverName(sni.hostname());
            if (!sni.isSuccess()) {
                refuse(ctx, sni.cause());
            }
        } else if (evt instanceof SslHandshakeCompletionEvent) {
            SslHandshakeCompletionEvent handshake = (SslHandshakeCompletionEvent) evt;
            if (!handshake.isSuccess()) {
                refuse(ctx, handshake.cause());
                return;
            }
            metrics.downstreamHandshake(listener, System.nanoTime() - record.startNanos());
            SslHandler ssl = ctx.pipeline().get(SslHandler.class);
            if (ssl != null) {
                SpiffeId id = SpiffeTrustManager.peerId(ssl.engine());
                record.peerSpiffeId(id == null ? null : id.toString());
            }
            if (doneAfterHandshake) {
                ctx.fireUserEventTriggered(evt); // the HTTP layer's request timeout starts again from here
                relayStarted(ctx);
            }
        } else if (evt == ChannelInputShutdownEvent.INSTANCE) {
            // A relay holds this event for itself; here it means the downstream gave up before any route was taken.
            refuse(ctx.channel(), DownstreamRefusal.CLOSED_BEFORE_HANDSHAKE.code(), "the downstream ended its input before TLS was established");
        } else {
            ReferenceCountUtil.release(evt);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        refuse(ctx, cause);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        refuse(ctx.channel(), DownstreamRefusal.CLOSED_BEFORE_HANDSHAKE.code(), "the downstream closed the connection before TLS was established");
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        // Nothing may reach here before the relay starts; never leak it.
        ReferenceCountUtil.release(msg);
    }

    private void refuse(ChannelHandlerContext ctx, Throwable cause) {
        DownstreamRefusal.Classified refusal = DownstreamRefusal.classify(cause);
        refuse(ctx.channel(), refusal.code(), refusal.detail());
    }

    private static String quoted(String value) {
        return value == null ? "-" : value;
    }
}
