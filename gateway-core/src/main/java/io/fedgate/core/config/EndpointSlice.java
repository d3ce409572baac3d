package io.fedgate.core.config;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.OptionalInt;

/**
 * A {@code discovery.k8s.io/v1} EndpointSlice: some of the endpoints behind one Service, tied to it by the
 * {@code kubernetes.io/service-name} label. Its ports carry the Service port's name and the number the endpoints
 * actually listen on, which is how a named {@code targetPort} becomes a number.
 *
 * @param namespace the namespace (the Service's)
 * @param name the slice's own name
 * @param serviceName the {@code kubernetes.io/service-name} label, empty when absent
 * @param addressType what the endpoint addresses are
 * @param endpoints the endpoints, ready or not
 * @param ports the ports the endpoints serve
 */
public record EndpointSlice(String namespace, String name, String serviceName, AddressType addressType,
                            List<Endpoint> endpoints, List<Port> ports) {
    /** The label that names the Service a slice belongs to. */
    public static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";

    public EndpointSlice {
        requireNonNull(namespace, "namespace");
        requireNonNull(name, "name");
        requireNonNull(serviceName, "serviceName");
        requireNonNull(addressType, "addressType");
        endpoints = List.copyOf(requireNonNull(endpoints, "endpoints"));
        ports = List.copyOf(requireNonNull(ports, "ports"));
    }

    /** The Service this slice belongs to, {@code namespace/serviceName}. */
    public NamespacedName service() {
        return new NamespacedName(namespace, serviceName);
    }

    /**
     * The number the endpoints serve {@code servicePort} on: the slice port carrying the Service port's name (as
     * Kubernetes' EndpointSlice controller writes them), else, for a named target port, the slice port of that name.
     * Empty when this slice does not serve the port.
     */
    public OptionalInt portFor(ServicePort servicePort) {
        requireNonNull(servicePort, "servicePort");
        for (Port port : ports) {
            if (port.protocol().equals(servicePort.protocol()) && port.name().equals(servicePort.name())) {
                return OptionalInt.of(port.port());
            }
        }
        if (servicePort.targetPort().isNamed()) {
            for (Port port : ports) {
                if (port.protocol().equals(servicePort.protocol())
                        && port.name().equals(servicePort.targetPort().name())) {
                    return OptionalInt.of(port.port());
                }
            }
        }
        return OptionalInt.empty();
    }

    /** The kinds of endpoint address. */
    public enum AddressType {
        /** IPv4 literals. */
        IPV4("IPv4"),
        /** IPv6 literals. */
        IPV6("IPv6"),
        /** Fully qualified domain names. */
        FQDN("FQDN");

        private final String yamlName;

        AddressType(String yamlName) {
            this.yamlName = yamlName;
        }

        /** As YAML spells it, e.g. {@code IPv4}. */
        public String yamlName() {
            return yamlName;
        }
    }

    /**
     * One entry of {@code endpoints}.
     *
     * @param addresses the addresses (all of one endpoint, usually one)
     * @param ready {@code conditions.ready}; an absent condition counts as ready, as Kubernetes consumers treat it
     */
    public record Endpoint(List<String> addresses, boolean ready) {
        public Endpoint {
            addresses = List.copyOf(requireNonNull(addresses, "addresses"));
        }
    }

    /**
     * One entry of {@code ports}.
     *
     * @param name the Service port name it serves, possibly empty
     * @param port the number the endpoints listen on
     * @param protocol {@code TCP}, {@code UDP} or {@code SCTP}
     */
    public record Port(String name, int port, String protocol) {
        public Port {
            requireNonNull(name, "name");
            requireNonNull(protocol, "protocol");
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("not a port: " + port);
            }
        }
    }
}
