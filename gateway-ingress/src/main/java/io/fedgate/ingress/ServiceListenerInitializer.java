package io.fedgate.ingress;

import java.util.concurrent.TimeUnit;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.timeout.IdleStateHandler;

import io.fedgate.core.listener.ConnectionRecord;
import io.fedgate.core.listener.DownstreamConnections;
import io.fedgate.core.listener.DownstreamReporter;
import io.fedgate.core.listener.ProxyProtocolHandler;
import io.fedgate.core.relay.CloseOnIdleHandler;

/**
 * The pipeline of the service listener (15443), as it starts for every downstream connection:
 * {@code idle -> close-on-idle -> sni -> downstream-reporter}, behind
 * {@code proxy-protocol-decoder -> proxy-protocol} with {@code --proxy-protocol}. The SNI handler then rewrites it for the route's
 * mode (see {@link IngressSniHandler}); once relaying, it reads {@code idle -> close-on-idle [-> tls] -> relay}.
 */
final class ServiceListenerInitializer extends ChannelInitializer<SocketChannel> {
    /** The listener's name in logs, metrics and the access log. */
    static final String NAME = "service";
    static final String IDLE = "idle";
    static final String CLOSE_ON_IDLE = "close-on-idle";

    private final ServiceListenerContext listener;
    private final long idleTimeoutMillis;
    private final boolean proxyProtocol;

    /** @param proxyProtocol whether connections start with a PROXY protocol header */
    ServiceListenerInitializer(ServiceListenerContext listener, long idleTimeoutMillis, boolean proxyProtocol) {
        this.listener = listener;
        this.idleTimeoutMillis = idleTimeoutMillis;
        this.proxyProtocol = proxyProtocol;
    }

    @Override
    protected void initChannel(SocketChannel channel) {
        ConnectionRecord record = listener.connections().admit(channel, NAME, DownstreamConnections.Budget.SERVICE);
        if (record == null) {
            return; // beyond the service listeners' budget: closed and counted
        }
        ChannelPipeline pipeline = channel.pipeline();
        addIdleHandlers(pipeline);
        DownstreamReporter reporter = new DownstreamReporter(record, listener.connections(), listener.refusals(), false);
        pipeline.addLast(IngressSniHandler.NAME, new IngressSniHandler(listener, reporter));
        pipeline.addLast(DownstreamReporter.NAME, reporter);
        if (proxyProtocol) {
            ProxyProtocolHandler.addFirst(pipeline);
        }
    }

    private void addIdleHandlers(ChannelPipeline pipeline) {
        pipeline.addLast(IDLE, new IdleStateHandler(0, 0, idleTimeoutMillis, TimeUnit.MILLISECONDS));
        pipeline.addLast(CLOSE_ON_IDLE, CloseOnIdleHandler.INSTANCE);
    }
}
