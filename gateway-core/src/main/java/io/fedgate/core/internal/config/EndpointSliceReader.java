package io.fedgate.core.internal.config;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

import io.fedgate.core.config.EndpointSlice;
import io.fedgate.core.config.EndpointSlice.AddressType;

/** Reads a {@code discovery.k8s.io/v1} EndpointSlice: address type, endpoints with readiness, and ports. */
public final class EndpointSliceReader {
    private EndpointSliceReader() {
    }

    /** Reads {@code resource}; empty when it had an error. */
    public static Optional<EndpointSlice> read(Resource resource, Metadata metadata) {
        Node root = resource.root();
        root.allowFields("apiVersion", "kind", "metadata", "addressType", "endpoints", "ports");
        Optional<AddressType> addressType = addressType(root.field("addressType"));
        List<EndpointSlice.Endpoint> endpoints = new ArrayList<>();
        for (Node endpoint : root.field("endpoints").items()) {
            endpoint(endpoint, addressType).ifPresent(endpoints::add);
        }
        List<EndpointSlice.Port> ports = new ArrayList<>();
        Map<String, String> names = new HashMap<>();
        for (Node port : root.field("ports").items()) {
            port(port, names).ifPresent(ports::add);
        }
        if (resource.context().errorCount() != 0 || addressType.isEmpty()) {
            return Optional.empty();
        }
        String serviceName = metadata.labels().getOrDefault(EndpointSlice.SERVICE_NAME_LABEL, "");
        return Optional.of(new EndpointSlice(resource.namespace(), resource.name(), serviceName, addressType.get(),
                endpoints, ports));
    }

    private static Optional<AddressType> addressType(Node node) {
        Optional<String> name = Fields.requiredString(node);
        if (name.isEmpty()) {
            return Optional.empty();
        }
        for (AddressType type : AddressType.values()) {
            if (type.yamlName().equals(name.get())) {
                return Optional.of(type);
            }
        }
        node.error(Names.quote(name.get()) + " is not an address type (IPv4, IPv6 or FQDN)");
        return Optional.empty();
    }

    private static Optional<EndpointSlice.Endpoint> endpoint(Node endpoint, Optional<AddressType> addressType) {
        int errorsBefore = endpoint.context().errorCount();
        endpoint.allowFields("addresses", "conditions", "hostname", "nodeName", "zone", "targetRef", "hints",
                "deprecatedTopology");
        Node addressesNode = endpoint.field("addresses");
        List<String> addresses = new ArrayList<>();
        if (addressesNode.require()) {
            List<Node> items = addressesNode.items();
            if (addressesNode.isList() && items.isEmpty()) {
                addressesNode.error("must not be empty");
            }
            for (Node item : items) {
                item.string().ifPresent(address -> {
                    addressType.flatMap(type -> checkAddress(address, type)).ifPresent(item::error);
                    addresses.add(address);
                });
            }
        }
        Node conditions = endpoint.field("conditions");
        conditions.allowFields("ready", "serving", "terminating");
        // Kubernetes: an unknown (absent) ready condition is to be read as ready.
        boolean ready = conditions.field("ready").bool().orElse(true);
        conditions.field("serving").bool();
        conditions.field("terminating").bool();
        if (endpoint.context().errorCount() != errorsBefore) {
            return Optional.empty();
        }
        return Optional.of(new EndpointSlice.Endpoint(addresses, ready));
    }

    private static Optional<String> checkAddress(String address, AddressType type) {
        boolean valid;
        switch (type) {
            case IPV4:
                valid = Names.isIpv4(address);
                break;
            case IPV6:
                valid = Names.isIpv6(address);
                break;
            case FQDN:
                valid = Names.isDnsName(address);
                break;
            default:
                throw new AssertionError(type);
        }
        String expected = type == AddressType.FQDN ? "a DNS name" : "an " + type.yamlName() + " address";
        return valid ? Optional.empty()
                : Optional.of(Names.quote(address) + " is not " + expected + " (addressType " + type.yamlName() + ")");
    }

    private static Optional<EndpointSlice.Port> port(Node port, Map<String, String> names) {
        int errorsBefore = port.context().errorCount();
        port.allowFields("name", "port", "protocol", "appProtocol");
        Node nameNode = port.field("name");
        String name = nameNode.string().orElse("");
        if (!name.isEmpty()) {
            Names.checkDns1123Label(name).ifPresent(nameNode::error);
        }
        String first = names.putIfAbsent(name, port.path());
        if (first != null) {
            nameNode.error("duplicate port name " + Names.quote(name) + " (also " + first + ")");
        }
        OptionalInt number = Fields.requiredPort(port.field("port"));
        Optional<String> protocol = Fields.protocol(port.field("protocol"));
        if (port.context().errorCount() != errorsBefore || number.isEmpty() || protocol.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new EndpointSlice.Port(name, number.getAsInt(), protocol.get()));
    }
}
