package io.fedgate.bench.load;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.ssl.SslContext;
import io.netty.util.ReferenceCountUtil;

import io.fedgate.core.relay.RelayBuffers;
import io.fedgate.core.transport.Transport;

/**
 * The services behind the gateways in load runs, lean so that the load core measures the gateway rather than itself:
 * <ul>
 *   <li><b>sink</b>: reads and discards; when the client ends its output, answers with the 8-byte count of bytes it
 *       received and closes. The client checks the count against what it sent.</li>
 *   <li><b>echo</b>: writes back what arrives (reads pause while the echo cannot be written); closes after the
 *       client ends its output.</li>
 * </ul>
 * Each runs plain, or over TLS with a given server context (the direct-TLS and pass-through scenarios).
 */
final class LoadBackend implements AutoCloseable {
    enum Kind { SINK, ECHO }

    private final EventLoopGroup group;
    private final List<Channel> listeners = new ArrayList<>();
    private final Transport transport;

    LoadBackend(int threads) {
        this.transport = Transport.select();
        this.group = transport.newEventLoopGroup(threads, "load-backend");
    }

    /** Binds {@code kind} on {@code address} (port 0: any); TLS when {@code tls} is not null. */
    InetSocketAddress listen(Kind kind, InetSocketAddress address, SslContext tls) throws InterruptedException {
        Channel channel = new ServerBootstrap().group(group).channel(transport.serverChannelClass())
                .option(ChannelOption.SO_BACKLOG, 4096)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, RelayBuffers.WATER_MARK)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        if (tls != null) {
                            ch.pipeline().addLast(tls.newHandler(ch.alloc()));
                        }
                        ch.pipeline().addLast(kind == Kind.SINK ? new Sink() : new Echo());
                    }
                }).bind(address).sync().channel();
        listeners.add(channel);
        return (InetSocketAddress) channel.localAddress();
    }

    /** Logs a failed connection (the load client counts it too) and closes it. */
    static void failed(ChannelHandlerContext ctx, Throwable cause) {
        System.err.println("connection " + ctx.channel().remoteAddress() + " failed: " + cause);
        ctx.close();
    }

    @Override
    public void close() {
        listeners.forEach(Channel::close);
        group.shutdownGracefully();
    }

    /** Counts and drops; answers the count when the input ends. */
    static final class Sink extends ChannelInboundHandlerAdapter {
        private long received;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            received += ((ByteBuf) msg).readableBytes();
            ReferenceCountUtil.release(msg);
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof ChannelInputShutdownEvent) {
                ctx.writeAndFlush(ctx.alloc().buffer(8).writeLong(received)).addListener(ChannelFutureListener.CLOSE);
            }
            ctx.fireUserEventTriggered(evt);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            failed(ctx, cause);
        }
    }

    /** Writes back what arrives, pausing reads while the echo is not writable. */
    static final class Echo extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ctx.write(msg, ctx.voidPromise());
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
            if (!ctx.channel().isWritable()) {
                ctx.channel().config().setAutoRead(false);
            }
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            if (ctx.channel().isWritable()) {
                ctx.channel().config().setAutoRead(true);
            }
            ctx.fireChannelWritabilityChanged();
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof ChannelInputShutdownEvent) {
                ctx.writeAndFlush(ctx.alloc().buffer(0)).addListener(ChannelFutureListener.CLOSE);
            }
            ctx.fireUserEventTriggered(evt);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            failed(ctx, cause);
        }
    }
}
