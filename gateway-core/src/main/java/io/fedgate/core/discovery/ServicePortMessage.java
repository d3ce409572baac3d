package io.fedgate.core.discovery;

import static java.util.Objects.requireNonNull;

/**
 * One port of an exported service on the wire: {@code {"name":"http","port":9080,"protocol":"HTTP"}}.
 *
 * @param name the Service port name, empty for a single unnamed port
 * @param port the Service port number (0 only when a peer left it out)
 * @param protocol the protocol as Istio names it, e.g. {@code HTTP}, {@code TCP}, {@code GRPC}
 */
public record ServicePortMessage(String name, int port, String protocol) {

    public ServicePortMessage {
        requireNonNull(name, "name");
        requireNonNull(protocol, "protocol");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port: " + port + " (expected: 0-65535)");
        }
    }
}
