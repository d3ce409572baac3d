package io.fedgate.core.config;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Set;

import io.fedgate.core.spiffe.SpiffeId;

/**
 * One {@code ServiceMeshPeer} with every default applied: the peer mesh this mesh federates with, where to reach it,
 * which local gateways serve it, and how its clients are authenticated. {@link #defaulted()} records which settings
 * were not written in the resource (omitted, or 0 for a port) and took their default.
 *
 * @param name the peer's name ({@code metadata.name}), e.g. {@code green-mesh}
 * @param namespace this mesh's control-plane namespace ({@code metadata.namespace})
 * @param remote {@code spec.remote}
 * @param gateways {@code spec.gateways}
 * @param security {@code spec.security}
 * @param defaulted the settings that took their default
 */
public record PeerConfig(String name, String namespace, Remote remote, Gateways gateways, Security security,
                         Set<Setting> defaulted) {
    /** Default {@code spec.remote.discoveryPort}. */
    public static final int DEFAULT_DISCOVERY_PORT = 8188;
    /** Default {@code spec.remote.servicePort}. */
    public static final int DEFAULT_SERVICE_PORT = 15443;
    /** The only {@code spec.security.certificateChain.kind}. */
    public static final String CERTIFICATE_CHAIN_KIND = "ConfigMap";
    /** The ConfigMap key holding the peer's root certificates. */
    public static final String ROOT_CERT_KEY = "root-cert.pem";

    public PeerConfig {
        requireNonNull(name, "name");
        requireNonNull(namespace, "namespace");
        requireNonNull(remote, "remote");
        requireNonNull(gateways, "gateways");
        requireNonNull(security, "security");
        defaulted = Set.copyOf(requireNonNull(defaulted, "defaulted"));
    }

    /** Whether {@code setting} was left out of the resource and took its default. */
    public boolean isDefaulted(Setting setting) {
        return defaulted.contains(setting);
    }

    /** {@code <name>-ca-root-cert}, the default root ConfigMap name of peer {@code peerName}. */
    public static String defaultRootConfigMap(String peerName) {
        return peerName + "-ca-root-cert";
    }

    /** {@code <name>.local}, the default trust domain of peer {@code peerName}. */
    public static String defaultTrustDomain(String peerName) {
        return peerName + ".local";
    }

    /**
     * The default {@code clientID} of peer {@code peerName} with trust domain {@code trustDomain}, seen from mesh
     * {@code meshName}: the peer's egress gateway for this mesh, named as the reference names them. The peer's system
     * namespace and egress name are the peer's own choices, so they are derived by the convention of the reference
     * documentation: namespace {@code <peer>-system}, egress {@code egress-<this mesh>}, e.g.
     * {@code green-mesh.local/ns/green-mesh-system/sa/egress-red-mesh-service-account}.
     */
    public static SpiffeId defaultClientId(String peerName, String trustDomain, String meshName) {
        return SpiffeId.ofServiceAccount(trustDomain, peerName + ConfigOptions.SYSTEM_NAMESPACE_SUFFIX,
                "egress-" + meshName + "-service-account");
    }

    /** The settings that have defaults; each knows its field path. */
    public enum Setting {
        /** {@code spec.remote.discoveryPort}, default 8188. */
        DISCOVERY_PORT("spec.remote.discoveryPort"),
        /** {@code spec.remote.servicePort}, default 15443. */
        SERVICE_PORT("spec.remote.servicePort"),
        /** {@code spec.security.trustDomain}, default {@code <peer>.local}. */
        TRUST_DOMAIN("spec.security.trustDomain"),
        /** {@code spec.security.clientID}, default derived as {@link #defaultClientId} says. */
        CLIENT_ID("spec.security.clientID"),
        /** {@code spec.security.certificateChain.name}, default {@code <peer>-ca-root-cert}. */
        ROOT_CONFIG_MAP("spec.security.certificateChain.name");

        private final String field;

        Setting(String field) {
            this.field = field;
        }

        /** The field path, e.g. {@code spec.remote.servicePort}. */
        public String field() {
            return field;
        }
    }

    /**
     * {@code spec.remote}: where the peer's ingress gateway listens.
     *
     * @param addresses DNS names or IP literals, at least one
     * @param discoveryPort the discovery port on those addresses
     * @param servicePort the service-traffic port on those addresses
     */
    public record Remote(List<String> addresses, int discoveryPort, int servicePort) {
        public Remote {
            addresses = List.copyOf(requireNonNull(addresses, "addresses"));
            if (addresses.isEmpty()) {
                throw new IllegalArgumentException("addresses is empty");
            }
            checkPort(discoveryPort);
            checkPort(servicePort);
        }
    }

    /**
     * {@code spec.gateways}: this mesh's gateways serving the peer.
     *
     * @param ingress the ingress gateway name, accepting the peer's traffic
     * @param egress the egress gateway name, sending traffic to the peer
     */
    public record Gateways(String ingress, String egress) {
        public Gateways {
            requireNonNull(ingress, "ingress");
            requireNonNull(egress, "egress");
        }
    }

    /**
     * {@code spec.security}: how the peer is authenticated.
     *
     * @param trustDomain the peer's trust domain
     * @param clientId the identity the peer's egress presents when calling this mesh (within {@code trustDomain})
     * @param rootConfigMap the ConfigMap holding the peer's roots under {@code root-cert.pem}
     */
    public record Security(String trustDomain, SpiffeId clientId, String rootConfigMap) {
        public Security {
            requireNonNull(trustDomain, "trustDomain");
            requireNonNull(clientId, "clientId");
            requireNonNull(rootConfigMap, "rootConfigMap");
            if (!clientId.trustDomain().equals(trustDomain)) {
                throw new IllegalArgumentException("clientId " + clientId + " is outside trust domain " + trustDomain);
            }
        }
    }

    private static void checkPort(int port) {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("not a port: " + port);
        }
    }
}
