package io.fedgate.core.demo;

import static java.util.Objects.requireNonNull;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A local Service of a mesh's config directory: its ports, labels and annotations, and the endpoints that
 * serve it, written as a {@code v1} Service plus one {@code discovery.k8s.io/v1} EndpointSlice per endpoint (a slice
 * has one port list for all its endpoints, and loopback backends each listen on their own ephemeral port). Slice ports
 * carry the Service port's name, as Kubernetes' EndpointSlice controller writes them.
 *
 * <pre>{@code
 * ServiceSpec.named("bookinfo", "ratings").port("http", 9080).endpoint(backend.address())
 * ServiceSpec.named("bookinfo", "reviews").port("http", 9080, "http-web").port("grpc", 9090)
 *         .endpoint("127.0.0.1", Map.of("http", httpBackend.getPort(), "grpc", grpcBackend.getPort()))
 *         .tlsPassthrough()
 * }</pre>
 */
public final class ServiceSpec {
    /** The annotation that asks the ingress to pass TLS through to the service instead of terminating it. */
    public static final String TLS_MODE_ANNOTATION = "fedgate.io/tls-mode";

    private final String namespace;
    private final String name;
    private final List<Port> ports = new ArrayList<>();
    private final Map<String, String> labels = new LinkedHashMap<>();
    private final Map<String, String> annotations = new LinkedHashMap<>();
    private final List<Endpoint> endpoints = new ArrayList<>();

    private ServiceSpec(String namespace, String name) {
        this.namespace = namespace;
        this.name = name;
    }

    /** A Service {@code namespace/name} without ports yet. */
    public static ServiceSpec named(String namespace, String name) {
        return new ServiceSpec(requireNonNull(namespace, "namespace"), requireNonNull(name, "name"));
    }

    /** The namespace. */
    public String namespace() {
        return namespace;
    }

    /** The name. */
    public String name() {
        return name;
    }

    /** A TCP port whose target port is the same number. */
    public ServiceSpec port(String portName, int port) {
        return addPort(portName, port, Integer.toString(port));
    }

    /** A TCP port with a numeric target port. */
    public ServiceSpec port(String portName, int port, int targetPort) {
        return addPort(portName, port, Integer.toString(targetPort));
    }

    /** A TCP port with a named target port (resolved through the slices' port of the Service port's name). */
    public ServiceSpec port(String portName, int port, String targetPortName) {
        return addPort(portName, port, KubernetesYaml.quote(requireNonNull(targetPortName, "targetPortName")));
    }

    /** A label ({@code metadata.labels}). */
    public ServiceSpec label(String key, String value) {
        labels.put(requireNonNull(key, "key"), requireNonNull(value, "value"));
        return this;
    }

    /** An annotation ({@code metadata.annotations}). */
    public ServiceSpec annotation(String key, String value) {
        annotations.put(requireNonNull(key, "key"), requireNonNull(value, "value"));
        return this;
    }

    /** {@code fedgate.io/tls-mode: passthrough}: the ingress forwards the peer's TLS to the service untouched. */
    public ServiceSpec tlsPassthrough() {
        return annotation(TLS_MODE_ANNOTATION, "passthrough");
    }

    /** A ready endpoint serving the Service's only port at {@code backend} (e.g. a {@link io.fedgate.core.probe.DigestingBackend}). */
    public ServiceSpec endpoint(InetSocketAddress backend) {
        requireNonNull(backend, "backend");
        endpoints.add(new Endpoint(backend.getAddress().getHostAddress(), null, backend.getPort(), true));
        return this;
    }

    /** A ready endpoint at {@code address} serving each Service port (by name) on the given number. */
    public ServiceSpec endpoint(String address, Map<String, Integer> portsByName) {
        endpoints.add(new Endpoint(requireNonNull(address, "address"), new LinkedHashMap<>(portsByName), 0, true));
        return this;
    }

    /** An endpoint that is not ready (the gateway must not route to it). */
    public ServiceSpec notReadyEndpoint(InetSocketAddress backend) {
        requireNonNull(backend, "backend");
        endpoints.add(new Endpoint(backend.getAddress().getHostAddress(), null, backend.getPort(), false));
        return this;
    }

    /** A copy to change independently. */
    public ServiceSpec copy() {
        ServiceSpec copy = new ServiceSpec(namespace, name);
        copy.ports.addAll(ports);
        copy.labels.putAll(labels);
        copy.annotations.putAll(annotations);
        copy.endpoints.addAll(endpoints);
        return copy;
    }

    /** The Service and its EndpointSlices as one multi-document YAML file. */
    public String yaml() {
        if (ports.isEmpty()) {
            throw new IllegalStateException("service " + namespace + "/" + name + " has no ports");
        }
        StringBuilder yaml = new StringBuilder()
                .append("apiVersion: v1\n")
                .append("kind: Service\n")
                .append(KubernetesYaml.metadata(name, namespace));
        appendMap(yaml, "labels", labels);
        appendMap(yaml, "annotations", annotations);
        yaml.append("spec:\n").append("  ports:\n");
        for (Port port : ports) {
            yaml.append("  - name: ").append(KubernetesYaml.quote(port.name)).append('\n')
                    .append("    port: ").append(port.port).append('\n')
                    .append("    protocol: TCP\n")
                    .append("    targetPort: ").append(port.targetPort).append('\n');
        }
        for (int i = 0; i < endpoints.size(); i++) {
            Endpoint endpoint = endpoints.get(i);
            yaml.append("---\n")
                    .append("apiVersion: discovery.k8s.io/v1\n")
                    .append("kind: EndpointSlice\n")
                    .append(KubernetesYaml.metadata(name + "-" + i, namespace))
                    .append("  labels:\n")
                    .append("    kubernetes.io/service-name: ").append(KubernetesYaml.quote(name)).append('\n')
                    .append("addressType: ").append(endpoint.address.contains(":") ? "IPv6" : "IPv4").append('\n')
                    .append("endpoints:\n")
                    .append("- addresses:\n")
                    .append("  - ").append(KubernetesYaml.quote(endpoint.address)).append('\n')
                    .append("  conditions:\n")
                    .append("    ready: ").append(endpoint.ready).append('\n')
                    .append("ports:\n");
            for (Port port : ports) {
                yaml.append("- name: ").append(KubernetesYaml.quote(port.name)).append('\n')
                        .append("  port: ").append(endpoint.portFor(port, this)).append('\n')
                        .append("  protocol: TCP\n");
            }
        }
        return yaml.toString();
    }

    private ServiceSpec addPort(String portName, int port, String targetPort) {
        requireNonNull(portName, "portName");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port: " + port + " (expected: 1-65535)");
        }
        ports.add(new Port(portName, port, targetPort));
        return this;
    }

    private static void appendMap(StringBuilder yaml, String field, Map<String, String> entries) {
        if (entries.isEmpty()) {
            return;
        }
        yaml.append("  ").append(field).append(":\n");
        entries.forEach((key, value) -> yaml.append("    ").append(KubernetesYaml.quote(key)).append(": ")
                .append(KubernetesYaml.quote(value)).append('\n'));
    }

    @Override
    public String toString() {
        return "ServiceSpec{" + namespace + "/" + name + ", " + ports.size() + " ports, " + endpoints.size()
                + " endpoints}";
    }

    private static final class Port {
        final String name;
        final int port;
        final String targetPort;

        Port(String name, int port, String targetPort) {
            this.name = name;
            this.port = port;
            this.targetPort = targetPort;
        }
    }

    private static final class Endpoint {
        final String address;
        final Map<String, Integer> portsByName;
        final int onlyPort;
        final boolean ready;

        Endpoint(String address, Map<String, Integer> portsByName, int onlyPort, boolean ready) {
            this.address = address;
            this.portsByName = portsByName;
            this.onlyPort = onlyPort;
            this.ready = ready;
        }

        int portFor(Port port, ServiceSpec service) {
            if (portsByName == null) {
                if (service.ports.size() != 1) {
                    throw new IllegalStateException("service " + service.namespace + "/" + service.name + " has "
                            + service.ports.size() + " ports; give the endpoint " + address
                            + " a number per port name");
                }
                return onlyPort;
            }
            Integer number = portsByName.get(port.name);
            if (number == null) {
                throw new IllegalStateException("endpoint " + address + " of " + service.namespace + "/"
                        + service.name + " has no number for port " + port.name + " (has " + portsByName.keySet() + ")");
            }
            return number;
        }
    }
}
