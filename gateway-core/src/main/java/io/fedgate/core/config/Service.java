package io.fedgate.core.config;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A local Kubernetes {@code Service}, as far as federation needs it: its name, labels (for label-selector export
 * rules), annotations and ports. Services of every namespace are kept; they are the local service catalogue.
 *
 * @param namespace the namespace
 * @param name the name
 * @param labels {@code metadata.labels}
 * @param annotations {@code metadata.annotations}
 * @param ports {@code spec.ports}
 */
public record Service(String namespace, String name, Map<String, String> labels, Map<String, String> annotations,
                      List<ServicePort> ports) {

    public Service {
        requireNonNull(namespace, "namespace");
        requireNonNull(name, "name");
        labels = Map.copyOf(requireNonNull(labels, "labels"));
        annotations = Map.copyOf(requireNonNull(annotations, "annotations"));
        ports = List.copyOf(requireNonNull(ports, "ports"));
    }

    /** {@code namespace/name}. */
    public NamespacedName key() {
        return new NamespacedName(namespace, name);
    }

    /** The cluster-local DNS name, {@code <name>.<namespace>.svc.<clusterDomain>}. */
    public String hostname(String clusterDomain) {
        return name + "." + namespace + ".svc." + requireNonNull(clusterDomain, "clusterDomain");
    }

    /** The TCP port numbered {@code port}, if the Service has one. */
    public Optional<ServicePort> port(int port) {
        return ports.stream()
                .filter(p -> p.port() == port && p.protocol().equals(ServicePort.DEFAULT_PROTOCOL))
                .findFirst();
    }

    /** The port named {@code name}, if any. */
    public Optional<ServicePort> port(String name) {
        requireNonNull(name, "name");
        return ports.stream().filter(p -> p.name().equals(name)).findFirst();
    }
}
