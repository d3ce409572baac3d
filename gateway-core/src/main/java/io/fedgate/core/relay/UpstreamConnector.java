package io.fedgate.core.relay;

import static java.util.Objects.requireNonNull;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.resolver.AddressResolverGroup;
import io.netty.util.NetUtil;
import io.netty.util.concurrent.Promise;

import io.fedgate.core.config.HostPort;
import io.fedgate.core.transport.Transport;

/**
 * Opens upstream connections for relays: on the downstream channel's event loop (so the relay needs no locks),
 * with the same transport, {@code AUTO_READ} off and half-closure on, trying a cluster's endpoints in turn from a
 * given start until one accepts. Each failed attempt is reported, so a log can say which endpoint failed and why.
 */
public final class UpstreamConnector {
    /** Envoy's default cluster connect timeout. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);

    private final Transport transport;
    private final int connectTimeoutMillis;
    private final AddressResolverGroup<?> resolver;

    /**
     * @param resolver resolves endpoint names without blocking the event loop (IP literals need none)
     */
    public UpstreamConnector(Transport transport, Duration connectTimeout, AddressResolverGroup<?> resolver) {
        this.transport = requireNonNull(transport, "transport");
        this.connectTimeoutMillis = Math.toIntExact(requireNonNull(connectTimeout, "connectTimeout").toMillis());
        this.resolver = requireNonNull(resolver, "resolver");
    }

    /** A failed attempt to reach one endpoint. */
    public record AttemptFailure(HostPort endpoint, Throwable cause) {
        @Override
        public String toString() {
            return endpoint + " (" + RelayErrors.describe(cause) + ")";
        }
    }

    /** Thrown into the returned future when no endpoint could be reached; lists every attempt. */
    public static final class NoEndpointReachableException extends Exception {
        private static final long serialVersionUID = 1L;
        private final transient List<AttemptFailure> attempts;

        NoEndpointReachableException(List<AttemptFailure> attempts) {
            super(attempts.isEmpty() ? "no endpoints" : "no endpoint reachable: " + attempts, null, false, false);
            this.attempts = List.copyOf(attempts);
        }

        public List<AttemptFailure> attempts() {
            return attempts;
        }
    }

    /**
     * Connects to the first endpoint that accepts, trying {@code endpoints} from index {@code start} round the list.
     *
     * @param eventLoop   the downstream channel's event loop; the upstream channel is registered on it
     * @param initializer added to each upstream pipeline before connecting (e.g. a TLS client handler), or null
     * @param onFailure   told of each failed attempt, on the event loop
     * @return completes with the connected channel, or fails with {@link NoEndpointReachableException}
     */
    public Promise<Channel> connect(EventLoop eventLoop, List<HostPort> endpoints, int start,
                                   ChannelHandler initializer, Consumer<AttemptFailure> onFailure) {
        Promise<Channel> promise = eventLoop.newPromise();
        List<AttemptFailure> failures = new ArrayList<>(0);
        if (endpoints.isEmpty()) {
            promise.setFailure(new NoEndpointReachableException(failures));
            return promise;
        }
        attempt(eventLoop, endpoints, Math.floorMod(start, endpoints.size()), 0, initializer, onFailure, failures,
                promise);
        return promise;
    }

    private void attempt(EventLoop eventLoop, List<HostPort> endpoints, int index, int tried, ChannelHandler initializer,
                         Consumer<AttemptFailure> onFailure, List<AttemptFailure> failures, Promise<Channel> promise) {
        HostPort endpoint = endpoints.get(index);
        Bootstrap bootstrap = new Bootstrap()
                .group(eventLoop)
                .channel(transport.socketChannelClass())
                .resolver(resolver)
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, connectTimeoutMillis)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, RelayBuffers.WATER_MARK);
        bootstrap.handler(initializer != null ? initializer : new ChannelInboundHandlerAdapter());
        ChannelFuture connect = bootstrap.connect(socketAddress(endpoint));
        connect.addListener((ChannelFuture f) -> {
            if (f.isSuccess()) {
                if (!promise.trySuccess(f.channel())) {
                    f.channel().close(); // the downstream gave up meanwhile
                }
                return;
            }
            AttemptFailure failure = new AttemptFailure(endpoint, f.cause());
            failures.add(failure);
            onFailure.accept(failure);
            if (promise.isDone()) {
                return;
            }
            if (tried + 1 < endpoints.size()) {
                attempt(eventLoop, endpoints, (index + 1) % endpoints.size(), tried + 1, initializer, onFailure,
                        failures, promise);
            } else {
                promise.tryFailure(new NoEndpointReachableException(failures));
            }
        });
    }

    /** IP literals are resolved here; names are left unresolved for the non-blocking resolver, so DNS changes are seen. */
    static InetSocketAddress socketAddress(HostPort endpoint) {
        InetAddress literal = NetUtil.createInetAddressFromIpAddressString(endpoint.host());
        return literal != null ? new InetSocketAddress(literal, endpoint.port())
                : InetSocketAddress.createUnresolved(endpoint.host(), endpoint.port());
    }
}
