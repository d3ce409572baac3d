package io.fedgate.egress;

import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.logging.Logger;

import io.netty.channel.Channel;

import io.fedgate.core.admin.AdminServer;

/**
 * The plaintext listeners ({@code --plaintext-port-base}): one per imported service port, on consecutive ports from
 * the base. A service port keeps its listener (and port) for the life of the process; a new one gets the next port,
 * in the route table's order (by local host, then port); one no longer imported loses its listener. Called under
 * the server's update lock.
 */
final class PlaintextListeners implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(PlaintextListeners.class.getName());

    private final int base;
    private final BiFunction<Integer, String, Channel> bind;
    /** By {@code outbound_.<port>_._.<local host>}. */
    private final Map<String, Channel> bound = new LinkedHashMap<>();
    private final Map<String, Integer> assigned = new LinkedHashMap<>();
    private int nextOffset;

    /**
     * @param base the first port
     * @param bind binds, synchronously, a listener on a port for a server name ({@code outbound_} form)
     */
    PlaintextListeners(int base, BiFunction<Integer, String, Channel> bind) {
        this.base = base;
        this.bind = bind;
    }

    /** Binds listeners for new service ports of {@code routes}, closes those of ports no longer routed. */
    void update(EgressRouteTable routes) {
        Map<String, EgressRoute> wanted = new LinkedHashMap<>();
        for (EgressRoute route : routes.servicePorts()) {
            wanted.put(route.localServerName(), route);
        }
        bound.entrySet().removeIf(entry -> {
            if (wanted.containsKey(entry.getKey())) {
                return false;
            }
            entry.getValue().close();
            LOG.info(() -> "closed: plaintext " + AdminServer.address(entry.getValue()) + " (" + entry.getKey()
                    + " is no longer imported)");
            return true;
        });
        for (Map.Entry<String, EgressRoute> entry : wanted.entrySet()) {
            String name = entry.getKey();
            if (bound.containsKey(name)) {
                continue;
            }
            Integer offset = assigned.get(name);
            if (offset == null) {
                if (base + nextOffset > 65535) {
                    LOG.warning(() -> "no port left for a plaintext listener of " + name);
                    continue;
                }
                offset = nextOffset++;
                assigned.put(name, offset);
            }
            int port = base + offset;
            try {
                Channel channel = bind.apply(port, name);
                bound.put(name, channel);
                EgressRoute route = entry.getValue();
                LOG.info(() -> "listening: plaintext " + AdminServer.address(channel) + " -> " + route.localHost()
                        + ":" + route.port());
            } catch (RuntimeException e) {
                LOG.warning(() -> "cannot bind the plaintext listener of " + name + " on port " + port + ": " + e);
            }
        }
    }

    /** The bound listeners' addresses, by {@code outbound_.<port>_._.<local host>}. */
    /** The bound listener channels. */
    List<Channel> channels() {
        return List.copyOf(bound.values());
    }

    Map<String, InetSocketAddress> addresses() {
        Map<String, InetSocketAddress> addresses = new LinkedHashMap<>();
        bound.forEach((name, channel) -> addresses.put(name, (InetSocketAddress) channel.localAddress()));
        return addresses;
    }

    @Override
    public void close() {
        bound.values().forEach(Channel::close);
        bound.clear();
    }
}
