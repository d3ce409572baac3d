package io.fedgate.core.listener;

import java.io.IOException;
import java.net.SocketAddress;
import java.util.logging.Logger;

import javax.net.ssl.SSLException;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.ssl.NotSslRecordException;
import io.netty.handler.ssl.SniCompletionEvent;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.ssl.SslHandshakeTimeoutException;
import io.netty.util.ReferenceCountUtil;

import io.fedgate.core.metrics.GatewayMetrics;
import io.fedgate.core.relay.UpstreamConnector.NoEndpointReachableException;
import io.fedgate.core.status.RefusalLog;
import io.fedgate.core.trust.PeerRefusal;

/**
 * Last in a service-listener pipeline until the relay starts: remembers what is known about the downstream
 * connection (address, server name, route) and, if the connection ends before a relay is established, logs it once
 * and counts it with a reason code. Reasons: the route refusals ({@code no-sni}, {@code unknown-sni},
 * {@code sni-needs-port}), the TLS refusals of {@link PeerRefusal} ({@code spiffe-id-mismatch}, ...), and
 * {@code not-tls}, {@code client-hello-too-large}, {@code handshake-timeout}, {@code closed-before-handshake},
 * {@code upstream-unreachable}.
 */
public final class DownstreamReporter extends ChannelInboundHandlerAdapter {
    public static final String NAME = "downstream-reporter";
    /** The downstream closed, reset or half-closed before its TLS handshake completed. */
    public static final String CLOSED_BEFORE_HANDSHAKE = "closed-before-handshake";
    /** No endpoint of the route's cluster accepted a connection. */
    public static final String UPSTREAM_UNREACHABLE = "upstream-unreachable";

    private static final Logger LOG = Logger.getLogger("io.fedgate.core.listener.Listener");

    private final String listener;
    private final GatewayMetrics metrics;
    private final RefusalLog refusals;
    private final boolean doneAfterHandshake;
    private String serverName;
    private String peer;
    private boolean settled;

    /**
     * @param listener           the listener's name in logs and metrics
     * @param doneAfterHandshake whether the reporter steps aside after a successful TLS handshake (the discovery
     *                           listener answers everything after that in HTTP); the service listener keeps it
     *                           until the relay starts
     */
    public DownstreamReporter(String listener, GatewayMetrics metrics, RefusalLog refusals, boolean doneAfterHandshake) {
        this.listener = listener;
        this.metrics = metrics;
        this.refusals = refusals;
        this.doneAfterHandshake = doneAfterHandshake;
    }

    /** The server name the downstream asked for, once known. */
    public void serverName(String serverName) {
        this.serverName = serverName;
    }

    /** The peer the downstream's route leads to (or comes from), once known; {@code unknown} until then. */
    public void peer(String peer) {
        this.peer = peer;
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
        String peer = this.peer == null ? RefusalLog.UNKNOWN_PEER : this.peer;
        metrics.downstreamRefused(listener, reason, peer);
        refusals.refused(peer, listener, reason, detail);
        LOG.info(() -> "refused listener=" + listener + " downstream=" + address(channel.remoteAddress()) + " sni="
                + quoted(serverName) + " peer=" + peer + " reason=" + reason + ": " + detail);
        channel.close();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof SniCompletionEvent) {
            SniCompletionEvent sni = (SniCompletionEvent) evt;
            serverName = sni.hostname();
            if (!sni.isSuccess()) {
                refuse(ctx, sni.cause());
            }
        } else if (evt instanceof SslHandshakeCompletionEvent) {
            SslHandshakeCompletionEvent handshake = (SslHandshakeCompletionEvent) evt;
            if (!handshake.isSuccess()) {
                refuse(ctx, handshake.cause());
            } else if (doneAfterHandshake) {
                relayStarted(ctx);
            }
        } else if (evt == ChannelInputShutdownEvent.INSTANCE) {
            // A relay holds this event for itself; here it means the downstream gave up before any route was taken.
            refuse(ctx.channel(), CLOSED_BEFORE_HANDSHAKE, "the downstream ended its input before TLS was established");
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
        refuse(ctx.channel(), CLOSED_BEFORE_HANDSHAKE, "the downstream closed the connection before TLS was established");
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        // Nothing may reach here before the relay starts; never leak it.
        ReferenceCountUtil.release(msg);
    }

    private void refuse(ChannelHandlerContext ctx, Throwable cause) {
        Throwable root = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
        Channel channel = ctx.channel();
        if (root instanceof RouteRefusedException) {
            refuse(channel, ((RouteRefusedException) root).reason(), root.getMessage());
        } else if (root instanceof NoEndpointReachableException) {
            refuse(channel, UPSTREAM_UNREACHABLE, root.getMessage());
        } else if (root instanceof TooLongFrameException) {
            refuse(channel, "client-hello-too-large", root.getMessage());
        } else if (root instanceof NotSslRecordException) {
            refuse(channel, RouteRefusedException.NOT_TLS, "the first bytes are not a TLS record");
        } else if (root instanceof SslHandshakeTimeoutException) {
            refuse(channel, "handshake-timeout", root.getMessage());
        } else if (root instanceof IOException && !(root instanceof SSLException)) {
            refuse(channel, CLOSED_BEFORE_HANDSHAKE, String.valueOf(root.getMessage()));
        } else {
            // TLS failures: the SPIFFE refusals, no client certificate, protocol errors.
            PeerRefusal refusal = PeerRefusal.of(root);
            refuse(channel, refusal.reason().code(), refusal.detail());
        }
    }

    private static String address(SocketAddress address) {
        return address == null ? "-" : address.toString().replaceFirst("^/", "");
    }

    private static String quoted(String value) {
        return value == null ? "-" : value;
    }
}
