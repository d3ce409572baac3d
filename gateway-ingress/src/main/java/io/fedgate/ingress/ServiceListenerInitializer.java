package io.fedgate.ingress;

import java.util.concurrent.TimeUnit;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.timeout.IdleStateHandler;

import io.fedgate.core.listener.DownstreamReporter;
import io.fedgate.core.relay.CloseOnIdleHandler;

/**
 * The pipeline of the service listener (15443), as it starts for every downstream connection:
 * {@code idle -> close-on-idle -> sni -> downstream-reporter}. The SNI handler then rewrites it for the route's
 * mode (see {@link IngressSniHandler}); once relaying, it reads {@code idle -> close-on-idle [-> tls] -> relay}.
 */
final class ServiceListenerInitializer extends ChannelInitializer<SocketChannel> {
    static final String IDLE = "idle";
    static final String CLOSE_ON_IDLE = "close-on-idle";

    private final ServiceListenerContext listener;
    private final long idleTimeoutMillis;

    ServiceListenerInitializer(ServiceListenerContext listener, long idleTimeoutMillis) {
        this.listener = listener;
        this.idleTimeoutMillis = idleTimeoutMillis;
    }

    @Override
    protected void initChannel(SocketChannel channel) {
        ChannelPipeline pipeline = channel.pipeline();
        addIdleHandlers(pipeline);
        DownstreamReporter reporter = new DownstreamReporter("service", listener.metrics(), listener.refusals(), false);
        pipeline.addLast(IngressSniHandler.NAME, new IngressSniHandler(listener, reporter));
        pipeline.addLast(DownstreamReporter.NAME, reporter);
    }

    private void addIdleHandlers(ChannelPipeline pipeline) {
        pipeline.addLast(IDLE, new IdleStateHandler(0, 0, idleTimeoutMillis, TimeUnit.MILLISECONDS));
        pipeline.addLast(CLOSE_ON_IDLE, CloseOnIdleHandler.INSTANCE);
    }
}
