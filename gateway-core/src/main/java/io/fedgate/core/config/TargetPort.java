package io.fedgate.core.config;

import static java.util.Objects.requireNonNull;

/**
 * A Service port's {@code targetPort}: a number, or the name of a port of the backing pods, which only the endpoints
 * (EndpointSlice ports) can turn into a number.
 *
 * @param number the port number, or 0 when the target port is named
 * @param name the port name, or empty when the target port is a number
 */
public record TargetPort(int number, String name) {

    public TargetPort {
        requireNonNull(name, "name");
        if (name.isEmpty() == (number == 0)) {
            throw new IllegalArgumentException("a target port is either a number or a name: " + number + ", '" + name + "'");
        }
        if (number < 0 || number > 65535) {
            throw new IllegalArgumentException("not a port: " + number);
        }
    }

    /** A numbered target port. */
    public static TargetPort of(int number) {
        return new TargetPort(number, "");
    }

    /** A named target port. */
    public static TargetPort named(String name) {
        return new TargetPort(0, name);
    }

    /** Whether this target port is a name. */
    public boolean isNamed() {
        return !name.isEmpty();
    }

    /** The number, or the name. */
    @Override
    public String toString() {
        return isNamed() ? name : Integer.toString(number);
    }
}
