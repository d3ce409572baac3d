package io.fedgate.core.discovery;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * One exported service on the wire, as the exporting mesh publishes it to one peer.
 *
 * @param name the exported name (after aliasing)
 * @param namespace the exported namespace (after aliasing)
 * @param hostname the exported hostname, {@code <name>.<namespace>.svc.<peer>-exports.local}
 * @param servicePorts the service's ports, in Service order (the checksum treats them as a set)
 * @param serviceAccounts the SPIFFE IDs a caller must see on the service port: the exporting ingress gateway's
 */
public record ServiceMessage(String name, String namespace, String hostname, List<ServicePortMessage> servicePorts,
                             List<String> serviceAccounts) {

    public ServiceMessage {
        requireNonNull(name, "name");
        requireNonNull(namespace, "namespace");
        requireNonNull(hostname, "hostname");
        servicePorts = List.copyOf(requireNonNull(servicePorts, "servicePorts"));
        serviceAccounts = List.copyOf(requireNonNull(serviceAccounts, "serviceAccounts"));
    }
}
