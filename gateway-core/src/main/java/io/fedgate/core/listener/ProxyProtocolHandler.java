package io.fedgate.core.listener;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.handler.codec.haproxy.HAProxyProtocolException;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol;
import io.netty.util.NetUtil;
import io.netty.util.ReferenceCountUtil;

/**
 * With {@code --proxy-protocol}: takes the PROXY protocol header (v2, or v1) that the load balancer in front of the
 * ingress sends first, and makes its source address the downstream's address in the access log, in refusal lines
 * and in the discovery status's {@code remotes[].source}; then steps aside. A connection that does not start with
 * a valid header is refused ({@code bad-proxy-protocol}), as Envoy's {@code proxy_protocol} listener filter does; a
 * {@code LOCAL} header (the balancer's own health check) keeps the socket's address.
 */
public final class ProxyProtocolHandler extends ChannelInboundHandlerAdapter {
    public static final String DECODER = "proxy-protocol-decoder";
    public static final String NAME = "proxy-protocol";

    /** Adds the decoder and this handler at the head of {@code pipeline}. */
    public static void addFirst(ChannelPipeline pipeline) {
        pipeline.addFirst(NAME, new ProxyProtocolHandler());
        pipeline.addFirst(DECODER, new HAProxyMessageDecoder());
    }

    /** Whether the header was taken; this handler stays until the decoder has gone too. */
    private boolean headerTaken;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof HAProxyMessage)) {
            ctx.fireChannelRead(msg); // the decoder passes on what follows the header once it has removed itself
            removeOnceDecoderGone(ctx);
            return;
        }
        HAProxyMessage header = (HAProxyMessage) msg;
        try {
            if (header.command() == HAProxyCommand.PROXY && (header.proxiedProtocol() == HAProxyProxiedProtocol.TCP4
                    || header.proxiedProtocol() == HAProxyProxiedProtocol.TCP6)) {
                InetSocketAddress source = new InetSocketAddress(literal(header.sourceAddress()), header.sourcePort());
                ConnectionRecord record = ConnectionRecord.of(ctx.channel());
                if (record != null) {
                    record.downstream(source);
                }
            }
        } finally {
            ReferenceCountUtil.release(header);
        }
        headerTaken = true;
        removeOnceDecoderGone(ctx);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        ctx.fireChannelReadComplete();
        removeOnceDecoderGone(ctx);
    }

    /**
     * The decoder removes itself only after a read, not when the header completes as the channel closes: it then
     * decodes the bytes after the header as another header (Netty 4.2.18), and its failure must still be a bad
     * header, not reach the listener raw.
     */
    private void removeOnceDecoderGone(ChannelHandlerContext ctx) {
        if (headerTaken && ctx.pipeline().get(DECODER) == null && ctx.pipeline().context(this) != null) {
            ctx.pipeline().remove(this);
        }
    }

    /**
     * While the decoder is in the pipeline, every failure of it is a bad header. Netty 4.2.18 throws others than
     * {@link HAProxyProtocolException} for some: a v2 TLV whose length overruns the SSL TLV around it fails with an
     * {@code IndexOutOfBoundsException}, which the listener would report as a TLS failure.
     */
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof DecoderException && !(cause instanceof HAProxyProtocolException)
                && !(cause.getCause() instanceof HAProxyProtocolException)) {
            ctx.fireExceptionCaught(new HAProxyProtocolException("malformed header: " + cause.getCause(), cause));
            return;
        }
        ctx.fireExceptionCaught(cause);
    }

    /** The decoder checked the address's syntax; this turns it into an address without a DNS lookup. */
    private static InetAddress literal(String address) {
        byte[] bytes = NetUtil.createByteArrayFromIpAddressString(address);
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("PROXY source address " + address, e);
        }
    }
}
