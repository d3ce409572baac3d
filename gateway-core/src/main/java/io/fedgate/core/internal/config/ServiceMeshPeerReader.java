package io.fedgate.core.internal.config;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

import io.fedgate.core.config.ConfigOptions;
import io.fedgate.core.config.PeerConfig;
import io.fedgate.core.config.PeerConfig.Setting;
import io.fedgate.core.spiffe.InvalidSpiffeIdException;
import io.fedgate.core.spiffe.SpiffeId;

/**
 * Reads a {@code ServiceMeshPeer} and applies the defaults of the reference (see {@link PeerConfig}). References to
 * other resources (the root ConfigMap, gateways shared with other peers) are checked later, on the draft.
 */
public final class ServiceMeshPeerReader {
    private ServiceMeshPeerReader() {
    }

    /** Reads {@code resource}, reporting its problems. */
    public static PeerDraft read(Resource resource, ConfigOptions options) {
        ResourceContext context = resource.context();
        Node root = resource.root();
        root.allowFields("apiVersion", "kind", "metadata", "spec", "status");
        Node spec = root.field("spec");
        spec.allowFields("remote", "gateways", "security");
        Set<Setting> defaulted = EnumSet.noneOf(Setting.class);
        // Defaults derived from an invalid name would only repeat the metadata.name error in other words.
        String name = resource.name().isEmpty() || resource.kind().checkName(resource.name()).isPresent()
                ? "" : resource.name();

        Node remote = spec.field("remote");
        remote.allowFields("addresses", "discoveryPort", "servicePort");
        List<String> addresses = addresses(remote.field("addresses"));
        OptionalInt discoveryPort = portOrDefault(remote.field("discoveryPort"), PeerConfig.DEFAULT_DISCOVERY_PORT,
                Setting.DISCOVERY_PORT, defaulted);
        OptionalInt servicePort = portOrDefault(remote.field("servicePort"), PeerConfig.DEFAULT_SERVICE_PORT,
                Setting.SERVICE_PORT, defaulted);

        Node gateways = spec.field("gateways");
        gateways.allowFields("ingress", "egress");
        String ingress = gatewayName(gateways.field("ingress"));
        String egress = gatewayName(gateways.field("egress"));

        Node security = spec.field("security");
        security.allowFields("trustDomain", "clientID", "certificateChain");
        String trustDomain = trustDomain(security.field("trustDomain"), name, defaulted);
        Optional<SpiffeId> clientId = clientId(security.field("clientID"), trustDomain, name, options,
                defaulted);
        Node chain = security.field("certificateChain");
        chain.allowFields("kind", "name");
        Node chainKind = chain.field("kind");
        chainKind.string()
                .filter(kind -> !kind.isEmpty() && !kind.equals(PeerConfig.CERTIFICATE_CHAIN_KIND))
                .ifPresent(kind -> chainKind.error(Names.quote(kind) + " is not supported (only ConfigMap)"));
        String rootConfigMap = rootConfigMap(chain.field("name"), name, defaulted);

        Optional<PeerConfig> config = Optional.empty();
        // Only a resource without any error (metadata included) becomes a peer; the draft serves the cross-checks.
        if (context.errorCount() == 0) {
            config = Optional.of(new PeerConfig(resource.name(), resource.namespace(),
                    new PeerConfig.Remote(addresses, discoveryPort.getAsInt(), servicePort.getAsInt()),
                    new PeerConfig.Gateways(ingress, egress),
                    new PeerConfig.Security(trustDomain, clientId.orElseThrow(), rootConfigMap),
                    defaulted));
        }
        return new PeerDraft(resource, config, ingress, egress, trustDomain, rootConfigMap,
                defaulted.contains(Setting.ROOT_CONFIG_MAP));
    }

    private static List<String> addresses(Node node) {
        if (!node.require()) {
            return List.of();
        }
        if (node.isList() && node.items().isEmpty()) {
            node.error("must not be empty (at least one address of the peer's ingress gateway)");
        }
        List<String> addresses = new ArrayList<>();
        Map<String, String> seen = new HashMap<>();
        for (Node item : node.items()) {
            item.string().ifPresent(address -> {
                Optional<String> problem = Names.checkHost(address);
                if (problem.isPresent()) {
                    item.error(problem.get());
                } else if (seen.putIfAbsent(address, item.path()) != null) {
                    item.warn(Names.quote(address) + " is listed twice (also " + seen.get(address) + ")");
                } else {
                    addresses.add(address);
                }
            });
        }
        return addresses;
    }

    private static OptionalInt portOrDefault(Node node, int defaultPort, Setting setting, Set<Setting> defaulted) {
        if (!node.isPresent()) {
            defaulted.add(setting);
            return OptionalInt.of(defaultPort);
        }
        OptionalInt port = Fields.port(node, true);
        if (port.isPresent() && port.getAsInt() == 0) {
            defaulted.add(setting);
            return OptionalInt.of(defaultPort);
        }
        return port;
    }

    private static String gatewayName(Node gateway) {
        gateway.allowFields("name");
        Node name = gateway.field("name");
        Optional<String> value = Fields.requiredString(name);
        if (value.isEmpty()) {
            return "";
        }
        Optional<String> problem = Names.checkDns1123Label(value.get());
        problem.ifPresent(name::error);
        return problem.isPresent() ? "" : value.get();
    }

    private static String trustDomain(Node node, String peerName, Set<Setting> defaulted) {
        Optional<String> given = node.nonEmptyString();
        if (given.isEmpty()) {
            defaulted.add(Setting.TRUST_DOMAIN);
            return peerName.isEmpty() ? "" : PeerConfig.defaultTrustDomain(peerName);
        }
        try {
            return SpiffeId.validateTrustDomain(given.get());
        } catch (InvalidSpiffeIdException e) {
            node.error(Names.quote(given.get()) + " is not a trust domain: " + e.reason());
            return "";
        }
    }

    private static Optional<SpiffeId> clientId(Node node, String trustDomain, String peerName, ConfigOptions options,
                                               Set<Setting> defaulted) {
        Optional<String> given = node.nonEmptyString();
        if (given.isPresent()) {
            SpiffeId id;
            try {
                id = SpiffeId.parsePrincipal(given.get());
            } catch (InvalidSpiffeIdException e) {
                node.error(e.getMessage());
                return Optional.empty();
            }
            if (!trustDomain.isEmpty() && !id.trustDomain().equals(trustDomain)) {
                node.error(Names.quote(given.get()) + " is outside the peer's trust domain " + Names.quote(trustDomain));
                return Optional.empty();
            }
            return Optional.of(id);
        }
        if (node.isPresent() && !node.isString()) {
            return Optional.empty(); // the type error is already reported
        }
        Optional<String> meshName = options.meshName();
        if (meshName.isEmpty()) {
            node.error("is required: namespace " + Names.quote(options.namespace()) + " does not end in '"
                    + ConfigOptions.SYSTEM_NAMESPACE_SUFFIX + "', so the default (the peer's egress gateway for "
                    + "this mesh, egress-<this mesh>-service-account) cannot be derived");
            return Optional.empty();
        }
        if (trustDomain.isEmpty() || peerName.isEmpty()) {
            return Optional.empty();
        }
        defaulted.add(PeerConfig.Setting.CLIENT_ID);
        return Optional.of(PeerConfig.defaultClientId(peerName, trustDomain, meshName.get()));
    }

    private static String rootConfigMap(Node node, String peerName, Set<Setting> defaulted) {
        Optional<String> given = node.nonEmptyString();
        if (given.isEmpty()) {
            defaulted.add(Setting.ROOT_CONFIG_MAP);
            return peerName.isEmpty() ? "" : PeerConfig.defaultRootConfigMap(peerName);
        }
        Optional<String> problem = Names.checkDns1123Subdomain(given.get());
        problem.ifPresent(node::error);
        return problem.isPresent() ? "" : given.get();
    }
}
