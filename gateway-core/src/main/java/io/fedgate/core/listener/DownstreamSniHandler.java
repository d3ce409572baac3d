package io.fedgate.core.listener;

import java.util.List;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.ssl.AbstractSniHandler;
import io.netty.util.concurrent.Future;

/**
 * What both gateways' service listeners start with: Netty's {@link AbstractSniHandler} (a ClientHello bounded in size
 * and time) on a channel whose {@code AUTO_READ} is off, plus the one check Netty leaves out. Netty reports only a
 * first byte of 0x14/0x15 as "not TLS" and takes anything else as a ClientHello without a server name, so a
 * plaintext client would be refused as {@code no-sni}; remembering the first byte lets it be refused as what it is.
 * Subclasses look the server name up in {@link #route} and take the connection on in {@code onLookupComplete}.
 *
 * @param <R> the route a server name leads to
 */
public abstract class DownstreamSniHandler<R> extends AbstractSniHandler<R> {
    private static final int TLS_HANDSHAKE_RECORD = 0x16;

    /** The first byte the downstream sent, or -1 before any: a TLS connection starts with a handshake record. */
    private int firstByte = -1;

    protected DownstreamSniHandler(int maxClientHello, long handshakeTimeoutMillis) {
        super(maxClientHello, handshakeTimeoutMillis);
    }

    /** {@code AUTO_READ} is off on every relayed channel: ask for the ClientHello. */
    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        super.channelActive(ctx);
        ctx.read();
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
        if (firstByte < 0 && in.isReadable()) {
            firstByte = in.getUnsignedByte(in.readerIndex());
        }
        super.decode(ctx, in, out);
    }

    /** Refuses a connection that did not start with a TLS handshake record as {@code not-tls}, else {@link #route}. */
    @Override
    protected final Future<R> lookup(ChannelHandlerContext ctx, String hostname) {
        if (firstByte != TLS_HANDSHAKE_RECORD) {
            return ctx.executor().newFailedFuture(new RouteRefusedException(DownstreamRefusal.NOT_TLS,
                    String.format("the first byte is 0x%02x, not a TLS handshake record (0x16)", firstByte)));
        }
        return route(ctx, hostname);
    }

    /** The route for {@code hostname} (possibly {@code null}, no server name), or a future failed with the refusal. */
    protected abstract Future<R> route(ChannelHandlerContext ctx, String hostname);
}
