package io.fedgate.egress;

import java.util.concurrent.TimeUnit;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.timeout.IdleStateHandler;

import io.fedgate.core.listener.ConnectionRecord;
import io.fedgate.core.listener.DownstreamConnections;
import io.fedgate.core.listener.DownstreamReporter;
import io.fedgate.core.relay.CloseOnIdleHandler;

/**
 * The pipeline of the egress service listener (15443), as it starts for every local workload's connection:
 * {@code idle -> close-on-idle -> sni -> downstream-reporter}; the SNI handler then rewrites it to
 * {@code idle -> close-on-idle -> tls -> hold-reads -> connect-after-handshake -> downstream-reporter}, and once the
 * upstream handshake is done it reads {@code idle -> close-on-idle -> tls -> relay}.
 */
final class ServiceListenerInitializer extends ChannelInitializer<SocketChannel> {
    /** The listener's name in logs, metrics and the access log. */
    static final String NAME = "service";
    static final String IDLE = "idle";
    static final String CLOSE_ON_IDLE = "close-on-idle";

    private final EgressListenerContext listener;
    private final long idleTimeoutMillis;

    ServiceListenerInitializer(EgressListenerContext listener, long idleTimeoutMillis) {
        this.listener = listener;
        this.idleTimeoutMillis = idleTimeoutMillis;
    }

    @Override
    protected void initChannel(SocketChannel channel) {
        ConnectionRecord record = listener.connections().admit(channel, NAME, DownstreamConnections.Budget.SERVICE);
        if (record == null) {
            return; // beyond the service listeners' budget: closed and counted
        }
        ChannelPipeline pipeline = channel.pipeline();
        addIdleHandlers(pipeline, idleTimeoutMillis);
        DownstreamReporter reporter = new DownstreamReporter(record, listener.connections(), listener.refusals(), false);
        pipeline.addLast(EgressSniHandler.NAME, new EgressSniHandler(listener, reporter));
        pipeline.addLast(DownstreamReporter.NAME, reporter);
    }

    static void addIdleHandlers(ChannelPipeline pipeline, long idleTimeoutMillis) {
        pipeline.addLast(IDLE, new IdleStateHandler(0, 0, idleTimeoutMillis, TimeUnit.MILLISECONDS));
        pipeline.addLast(CLOSE_ON_IDLE, CloseOnIdleHandler.INSTANCE);
    }
}
