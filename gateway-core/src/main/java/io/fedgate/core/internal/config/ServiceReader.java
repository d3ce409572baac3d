package io.fedgate.core.internal.config;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;

import io.fedgate.core.config.Service;
import io.fedgate.core.config.ServicePort;
import io.fedgate.core.config.TargetPort;

/** Reads a {@code Service}: its metadata and {@code spec.ports}, checked as the Kubernetes API server would. */
public final class ServiceReader {
    /** Service spec fields fedgate does not use but accepts, so that {@code kubectl get -o yaml} output loads. */
    private static final Set<String> SPEC_FIELDS = Set.of("ports", "selector", "type", "clusterIP", "clusterIPs",
            "externalName", "externalIPs", "externalTrafficPolicy", "internalTrafficPolicy", "ipFamilies",
            "ipFamilyPolicy", "loadBalancerIP", "loadBalancerSourceRanges", "loadBalancerClass",
            "allocateLoadBalancerNodePorts", "healthCheckNodePort", "publishNotReadyAddresses", "sessionAffinity",
            "sessionAffinityConfig", "trafficDistribution");

    private ServiceReader() {
    }

    /** Reads {@code resource}; empty when it had an error. */
    public static Optional<Service> read(Resource resource, Metadata metadata) {
        Node root = resource.root();
        root.allowFields("apiVersion", "kind", "metadata", "spec", "status");
        Node spec = root.field("spec");
        spec.allowFields(SPEC_FIELDS);
        Node portsNode = spec.field("ports");
        List<ServicePort> ports = new ArrayList<>();
        // As in Kubernetes, only ExternalName and headless Services may go without ports.
        boolean portsOptional = spec.field("type").string().filter("ExternalName"::equals).isPresent()
                || spec.field("clusterIP").string().filter("None"::equals).isPresent();
        if (portsNode.isPresent() || (!portsOptional && portsNode.require())) {
            List<Node> items = portsNode.items();
            if (portsNode.isList() && items.isEmpty()) {
                portsNode.error("must not be empty");
            }
            Map<String, String> names = new HashMap<>();
            Map<String, String> numbers = new HashMap<>();
            for (Node item : items) {
                port(item, items.size() > 1, names, numbers).ifPresent(ports::add);
            }
        }
        if (resource.context().errorCount() != 0) {
            return Optional.empty();
        }
        return Optional.of(new Service(resource.namespace(), resource.name(), metadata.labels(),
                metadata.annotations(), ports));
    }

    private static Optional<ServicePort> port(Node item, boolean severalPorts, Map<String, String> names,
                                              Map<String, String> numbers) {
        int errorsBefore = item.context().errorCount();
        item.allowFields("name", "port", "protocol", "targetPort", "nodePort", "appProtocol");
        Node nameNode = item.field("name");
        String name = nameNode.string().orElse("");
        if (name.isEmpty() && severalPorts) {
            nameNode.error("is required when a Service has several ports");
        } else if (!name.isEmpty()) {
            Names.checkDns1123Label(name).ifPresent(nameNode::error);
            String first = names.putIfAbsent(name, item.path());
            if (first != null) {
                nameNode.error("duplicate port name " + Names.quote(name) + " (also " + first + ")");
            }
        }
        Node portNode = item.field("port");
        OptionalInt port = Fields.requiredPort(portNode);
        Optional<String> protocol = Fields.protocol(item.field("protocol"));
        if (port.isPresent() && protocol.isPresent()) {
            String key = port.getAsInt() + "/" + protocol.get();
            String first = numbers.putIfAbsent(key, item.path());
            if (first != null) {
                portNode.error("duplicate port " + key + " (also " + first + ")");
            }
        }
        Optional<TargetPort> targetPort = targetPort(item.field("targetPort"), port);
        if (item.context().errorCount() != errorsBefore || port.isEmpty() || protocol.isEmpty()
                || targetPort.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new ServicePort(name, port.getAsInt(), protocol.get(), targetPort.get()));
    }

    private static Optional<TargetPort> targetPort(Node node, OptionalInt port) {
        if (!node.isPresent()) {
            return port.isPresent() ? Optional.of(TargetPort.of(port.getAsInt())) : Optional.empty();
        }
        if (node.isString()) {
            String name = node.string().orElseThrow();
            Optional<String> problem = Names.checkIanaServiceName(name);
            problem.ifPresent(node::error);
            return problem.isPresent() ? Optional.empty() : Optional.of(TargetPort.named(name));
        }
        OptionalLong number = node.integer();
        if (number.isEmpty()) {
            return Optional.empty();
        }
        if (number.getAsLong() < 1 || number.getAsLong() > 65535) {
            node.error(number.getAsLong() + " is not a port (1-65535)");
            return Optional.empty();
        }
        return Optional.of(TargetPort.of((int) number.getAsLong()));
    }
}
