package io.fedgate.core.admin;

import static java.util.Objects.requireNonNull;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import io.fedgate.core.gateway.GatewayHealth;
import io.fedgate.core.listener.DownstreamConnections;
import io.fedgate.core.listener.HttpRequestTimeoutHandler;
import io.fedgate.core.status.RefusalLog;
import io.fedgate.core.transport.Transport;

/**
 * The admin listener (Envoy's port 15000): plain HTTP, meant for the pod's own network namespace and the
 * platform's probes and scrapers. Pages: {@code /stats/prometheus} (every meter, Prometheus text format),
 * {@code /healthz/ready} (200 while {@link GatewayHealth} is {@code LIVE}, 503 before and while draining; the body
 * names the state and any refused reload), plus any the gateway adds. With {@link #limits} its connections draw on
 * the admin budget of {@link DownstreamConnections} (outside the traffic listeners', so a flood there leaves the
 * probes answered) and must send a complete request in time.
 */
public final class AdminServer {
    /** Prometheus text exposition format, version 0.0.4. */
    static final String PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    /** The listener's name in metrics. */
    public static final String NAME = "admin";

    private final Map<String, Supplier<Page>> pages = new LinkedHashMap<>();
    private DownstreamConnections connections;
    private HttpRequestTimeoutHandler.Timeouts timeouts;

    /**
     * @param health whether the gateway serves: every listener bound, not draining
     */
    public AdminServer(PrometheusMeterRegistry registry, GatewayHealth health) {
        requireNonNull(registry, "registry");
        requireNonNull(health, "health");
        pages.put("/stats/prometheus", () -> new Page(HttpResponseStatus.OK, PROMETHEUS_CONTENT_TYPE, registry.scrape()));
        pages.put("/healthz/ready", () -> Page.text(
                health.ready() ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE, health.describe()));
    }

    /** Adds a page at {@code path}; call before {@link #bind}. */
    public AdminServer page(String path, Supplier<Page> page) {
        pages.put(requireNonNull(path, "path"), requireNonNull(page, "page"));
        return this;
    }

    /**
     * Admits each connection under {@code connections}' admin budget, and closes one whose first request is not
     * complete in time or that idles between requests ({@code timeouts}); call before {@link #bind}.
     */
    public AdminServer limits(DownstreamConnections connections, HttpRequestTimeoutHandler.Timeouts timeouts) {
        this.connections = requireNonNull(connections, "connections");
        this.timeouts = requireNonNull(timeouts, "timeouts");
        return this;
    }

    /** Binds the admin listener on {@code group}. */
    public ChannelFuture bind(Transport transport, EventLoopGroup group, String host, int port) {
        AdminHandler handler = new AdminHandler(pages);
        DownstreamConnections admission = connections;
        return new ServerBootstrap()
                .group(group)
                .channel(transport.serverChannelClass())
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        if (admission != null
                                && admission.admit(channel, NAME, DownstreamConnections.Budget.ADMIN) == null) {
                            return; // beyond --max-admin-connections: closed and counted
                        }
                        ChannelPipeline pipeline = channel.pipeline();
                        pipeline.addLast("http", new HttpServerCodec());
                        if (admission != null) {
                            pipeline.addLast(HttpRequestTimeoutHandler.NAME, timeouts.newHandler((refused, reason,
                                    detail) -> admission.metrics().downstreamRefused(NAME, reason, RefusalLog.UNKNOWN_PEER)));
                        }
                        pipeline.addLast("aggregate", new HttpObjectAggregator(8192));
                        pipeline.addLast("admin", handler);
                    }
                })
                .bind(host, port);
    }

    /** The bound address of a channel from {@link #bind}, for the start-up log. */
    public static String address(Channel channel) {
        return channel.localAddress().toString().replaceFirst("^/", "");
    }
}
