package io.fedgate.core.transport;

import static java.util.Objects.requireNonNull;

import io.netty.channel.EventLoopGroup;
import io.netty.resolver.dns.DnsAddressResolverGroup;
import io.netty.resolver.dns.DnsNameResolverBuilder;
import io.netty.resolver.dns.DnsServerAddressStreamProviders;

/**
 * The threads of a gateway process: one acceptor loop, one I/O loop per core (a relay never blocks, so more threads
 * would only add context switches), and the non-blocking DNS resolver upstream connections use for names.
 */
public final class EventLoops implements AutoCloseable {
    private final Transport transport;
    private final EventLoopGroup acceptors;
    private final EventLoopGroup workers;
    private final DnsAddressResolverGroup resolver;

    private EventLoops(Transport transport) {
        this.transport = requireNonNull(transport, "transport");
        this.acceptors = transport.newEventLoopGroup(1, "fedgate-accept");
        this.workers = transport.newEventLoopGroup(Runtime.getRuntime().availableProcessors(), "fedgate-io");
        this.resolver = new DnsAddressResolverGroup(new DnsNameResolverBuilder()
                .datagramChannelType(transport.datagramChannelClass())
                .nameServerProvider(DnsServerAddressStreamProviders.platformDefault()));
    }

    /** Starts the event loops of {@code transport}. */
    public static EventLoops start(Transport transport) {
        return new EventLoops(transport);
    }

    public Transport transport() {
        return transport;
    }

    /** Accepts connections on every listener. */
    public EventLoopGroup acceptors() {
        return acceptors;
    }

    /** Runs every connection, downstream and upstream alike. */
    public EventLoopGroup workers() {
        return workers;
    }

    /** Resolves upstream names without blocking an event loop. */
    public DnsAddressResolverGroup resolver() {
        return resolver;
    }

    @Override
    public void close() {
        acceptors.shutdownGracefully();
        workers.shutdownGracefully();
        resolver.close();
    }
}
