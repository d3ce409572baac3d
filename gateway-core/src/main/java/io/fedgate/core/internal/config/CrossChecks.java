package io.fedgate.core.internal.config;

import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import io.fedgate.core.config.EndpointSlice;
import io.fedgate.core.config.NamespacedName;
import io.fedgate.core.config.PeerConfig;

/**
 * Checks between resources, each reported at the resource that holds the reference: a peer's root ConfigMap, gateway
 * names shared between roles, trust domains shared between peers, sets naming no peer, EndpointSlices naming no
 * Service.
 */
public final class CrossChecks {
    private CrossChecks() {
    }

    /**
     * A ConfigMap of the control-plane namespace.
     *
     * @param resource the resource
     * @param data its {@code data}
     */
    public record ConfigMapData(Resource resource, Map<String, String> data) {
    }

    /**
     * Resolves each peer's root ConfigMap and reads its bundle (once per ConfigMap, even if shared).
     *
     * @return the roots by peer name, for the peers whose bundle is valid
     */
    public static Map<String, List<X509Certificate>> peerRoots(List<PeerDraft> peers,
                                                               Map<String, ConfigMapData> configMaps, Instant now) {
        Map<String, Optional<List<X509Certificate>>> bundles = new HashMap<>();
        Map<String, List<X509Certificate>> roots = new LinkedHashMap<>();
        for (PeerDraft peer : peers) {
            if (peer.rootConfigMap().isEmpty()) {
                continue;
            }
            String field = PeerConfig.Setting.ROOT_CONFIG_MAP.field();
            String configMapName = peer.context().namespace() + "/" + peer.rootConfigMap();
            String defaultNote = peer.rootConfigMapDefaulted() ? " (the default name)" : "";
            ConfigMapData configMap = configMaps.get(peer.rootConfigMap());
            if (configMap == null) {
                peer.context().error(field, "ConfigMap " + configMapName + defaultNote + " not found");
                continue;
            }
            String pem = configMap.data().get(PeerConfig.ROOT_CERT_KEY);
            if (pem == null) {
                peer.context().error(field, "ConfigMap " + configMapName + defaultNote + " has no key "
                        + Names.quote(PeerConfig.ROOT_CERT_KEY));
                continue;
            }
            bundles.computeIfAbsent(peer.rootConfigMap(),
                    name -> RootBundleReader.read(configMap.resource().context(), pem, now))
                    .ifPresent(bundle -> roots.put(peer.name(), bundle));
        }
        return roots;
    }

    /**
     * A gateway is either ingress or egress: a name used in both roles (by one peer or two) is reported at the later
     * use. One gateway serving several peers in the same role is fine.
     */
    public static void gateways(List<PeerDraft> peers) {
        Map<String, PeerDraft> ingressBy = new HashMap<>();
        Map<String, PeerDraft> egressBy = new HashMap<>();
        for (PeerDraft peer : peers) {
            if (!peer.ingressGateway().isEmpty()) {
                PeerDraft other = egressBy.get(peer.ingressGateway());
                if (other != null) {
                    peer.context().error("spec.gateways.ingress.name", roleConflict(peer.ingressGateway(), "egress",
                            other));
                }
                ingressBy.putIfAbsent(peer.ingressGateway(), peer);
            }
            if (!peer.egressGateway().isEmpty()) {
                PeerDraft other = ingressBy.get(peer.egressGateway());
                if (other != null) {
                    peer.context().error("spec.gateways.egress.name", roleConflict(peer.egressGateway(), "ingress",
                            other));
                }
                egressBy.putIfAbsent(peer.egressGateway(), peer);
            }
        }
    }

    private static String roleConflict(String gateway, String otherRole, PeerDraft other) {
        return Names.quote(gateway) + " is also the " + otherRole + " gateway of " + other.context().resource()
                + " (" + other.context().location() + "); a gateway is either ingress or egress";
    }

    /** Each peer needs its own trust domain, since the trust domain in a certificate picks the root bundle. */
    public static void trustDomains(List<PeerDraft> peers) {
        Map<String, PeerDraft> byTrustDomain = new HashMap<>();
        for (PeerDraft peer : peers) {
            if (peer.trustDomain().isEmpty()) {
                continue;
            }
            PeerDraft other = byTrustDomain.putIfAbsent(peer.trustDomain(), peer);
            if (other != null) {
                peer.context().error(PeerConfig.Setting.TRUST_DOMAIN.field(), Names.quote(peer.trustDomain())
                        + " is also the trust domain of " + other.context().resource() + " ("
                        + other.context().location() + "); each peer needs its own trust domain");
            }
        }
    }

    /** An export or import set is named after its peer; one naming no peer is unused. */
    public static void setsNamePeers(List<Resource> sets, Set<String> peerNames) {
        for (Resource set : sets) {
            if (!set.name().isEmpty() && !peerNames.contains(set.name())) {
                set.context().warn("metadata.name", "no ServiceMeshPeer named " + Names.quote(set.name())
                        + " in namespace " + set.namespace() + "; this " + set.kind().kind() + " is unused");
            }
        }
    }

    /** An EndpointSlice serves the Service its {@code kubernetes.io/service-name} label names; others are unused. */
    public static void slicesHaveServices(Map<Resource, Metadata> slices, Set<NamespacedName> services) {
        slices.forEach((slice, metadata) -> {
            String serviceName = metadata.labels().get(EndpointSlice.SERVICE_NAME_LABEL);
            if (serviceName == null || serviceName.isEmpty()) {
                slice.context().warn("metadata.labels", "no " + EndpointSlice.SERVICE_NAME_LABEL
                        + " label, so this EndpointSlice belongs to no Service and is unused");
            } else if (!services.contains(new NamespacedName(slice.namespace(), serviceName))) {
                slice.context().warn("metadata.labels." + EndpointSlice.SERVICE_NAME_LABEL, "Service "
                        + slice.namespace() + "/" + serviceName + " not found; this EndpointSlice is unused");
            }
        });
    }
}
