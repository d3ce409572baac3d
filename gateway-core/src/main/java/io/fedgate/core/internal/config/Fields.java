package io.fedgate.core.internal.config;

import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;

/** Readers for values several kinds share: ports, protocols, required strings. */
public final class Fields {
    private static final Set<String> PROTOCOLS = Set.of("TCP", "UDP", "SCTP");

    private Fields() {
    }

    /**
     * A port number: empty when absent; 0 when {@code zeroAllowed} and given as 0 (meaning "default"); otherwise
     * 1-65535, anything else reported as {@code 70000 is not a port (1-65535)}.
     */
    public static OptionalInt port(Node node, boolean zeroAllowed) {
        OptionalLong value = node.integer();
        if (value.isEmpty()) {
            return OptionalInt.empty();
        }
        long port = value.getAsLong();
        if (port == 0 && zeroAllowed) {
            return OptionalInt.of(0);
        }
        if (port < 1 || port > 65535) {
            node.error(port + " is not a port (1-65535)");
            return OptionalInt.empty();
        }
        return OptionalInt.of((int) port);
    }

    /** A required port; reports {@code is required} when absent. */
    public static OptionalInt requiredPort(Node node) {
        return node.require() ? port(node, false) : OptionalInt.empty();
    }

    /** {@code TCP}, {@code UDP} or {@code SCTP}, default {@code TCP}; empty (reported) when invalid. */
    public static Optional<String> protocol(Node node) {
        Optional<String> value = node.string();
        if (!node.isPresent()) {
            return Optional.of("TCP");
        }
        if (value.isPresent() && !PROTOCOLS.contains(value.get())) {
            node.error(Names.quote(value.get()) + " is not a protocol (TCP, UDP or SCTP)");
            return Optional.empty();
        }
        return value;
    }

    /** A required, non-empty string; reports {@code is required} or {@code must not be empty}. */
    public static Optional<String> requiredString(Node node) {
        if (!node.require()) {
            return Optional.empty();
        }
        Optional<String> value = node.string();
        if (value.isPresent() && value.get().isEmpty()) {
            node.error("must not be empty");
            return Optional.empty();
        }
        return value;
    }
}
