package io.fedgate.core.config;

import static java.util.Objects.requireNonNull;

/**
 * A host (DNS name or IP literal) and a port to connect to; renders as {@code host:port}, or {@code [v6]:port} for an
 * IPv6 literal.
 *
 * @param host a DNS name or an IP literal without brackets
 * @param port 1-65535
 */
public record HostPort(String host, int port) {

    public HostPort {
        requireNonNull(host, "host");
        if (host.isEmpty()) {
            throw new IllegalArgumentException("host is empty");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("not a port: " + port);
        }
    }

    /** {@code host:port}, with brackets around an IPv6 literal. */
    @Override
    public String toString() {
        return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
    }
}
