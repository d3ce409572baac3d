package io.fedgate.core.config;

import static java.util.Objects.requireNonNull;

/**
 * One entry of a Service's {@code spec.ports}.
 *
 * @param name the port name, empty when the Service has a single unnamed port
 * @param port the port the Service listens on
 * @param protocol {@code TCP}, {@code UDP} or {@code SCTP}
 * @param targetPort where the backing pods listen; defaults to {@code port}
 */
public record ServicePort(String name, int port, String protocol, TargetPort targetPort) {
    /** The protocol Kubernetes assumes when none is given. */
    public static final String DEFAULT_PROTOCOL = "TCP";

    public ServicePort {
        requireNonNull(name, "name");
        requireNonNull(protocol, "protocol");
        requireNonNull(targetPort, "targetPort");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("not a port: " + port);
        }
    }

    /** A TCP port with the same target port. */
    public static ServicePort tcp(String name, int port) {
        return new ServicePort(name, port, DEFAULT_PROTOCOL, TargetPort.of(port));
    }

    /** E.g. {@code http 9080/TCP -> 8080}. */
    @Override
    public String toString() {
        String number = port + "/" + protocol;
        String target = targetPort.isNamed() || targetPort.number() != port ? " -> " + targetPort : "";
        return (name.isEmpty() ? number : name + " " + number) + target;
    }
}
