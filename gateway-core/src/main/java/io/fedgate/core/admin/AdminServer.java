package io.fedgate.core.admin;

import static java.util.Objects.requireNonNull;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import io.fedgate.core.gateway.GatewayHealth;
import io.fedgate.core.transport.Transport;

/**
 * The admin listener (Envoy's port 15000): plain HTTP, meant for the pod's own network namespace and the
 * platform's probes and scrapers. Pages: {@code /stats/prometheus} (every meter, Prometheus text format),
 * {@code /healthz/ready} (200 while {@link GatewayHealth} is {@code LIVE}, 503 before and while draining; the body
 * names the state and any refused reload), plus any the gateway adds.
 */
public final class AdminServer {
    /** Prometheus text exposition format, version 0.0.4. */
    static final String PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final Map<String, Supplier<Page>> pages = new LinkedHashMap<>();

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

    /** Binds the admin listener on {@code group}. */
    public ChannelFuture bind(Transport transport, EventLoopGroup group, String host, int port) {
        AdminHandler handler = new AdminHandler(pages);
        return new ServerBootstrap()
                .group(group)
                .channel(transport.serverChannelClass())
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        channel.pipeline()
                                .addLast("http", new HttpServerCodec())
                                .addLast("aggregate", new HttpObjectAggregator(8192))
                                .addLast("admin", handler);
                    }
                })
                .bind(host, port);
    }

    /** The bound address of a channel from {@link #bind}, for the start-up log. */
    public static String address(Channel channel) {
        return channel.localAddress().toString().replaceFirst("^/", "");
    }
}
