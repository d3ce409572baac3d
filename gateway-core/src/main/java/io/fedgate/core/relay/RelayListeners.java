package io.fedgate.core.relay;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;

import io.fedgate.core.transport.Transport;

/** The server bootstrap of every listener whose connections are relayed, with the options the relay relies on. */
public final class RelayListeners {
    private RelayListeners() {
    }

    /**
     * A bootstrap whose accepted channels run with {@code AUTO_READ} off (the relay drives reads), half-closure
     * allowed (end of stream travels one direction at a time), no Nagle delay, keep-alive, and the relay's write
     * buffer water marks.
     */
    public static ServerBootstrap bootstrap(Transport transport, EventLoopGroup acceptors, EventLoopGroup workers,
                                            ChannelHandler childHandler) {
        return new ServerBootstrap()
                .group(acceptors, workers)
                .channel(transport.serverChannelClass())
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, RelayBuffers.WATER_MARK)
                .childHandler(childHandler);
    }
}
