package io.fedgate.core.internal.config;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

import io.fedgate.core.config.PeerConfig;

/**
 * A {@code ServiceMeshPeer} as read, for the cross-resource checks: the values other resources are matched against,
 * each empty when missing or invalid, and the finished {@link PeerConfig} when the resource itself had no error.
 * Cross-resource checks run on drafts so that a peer with a bad port still gets its missing ConfigMap reported.
 *
 * @param resource the resource
 * @param config the effective peer, when the resource had no error
 * @param ingressGateway {@code spec.gateways.ingress.name}, or empty
 * @param egressGateway {@code spec.gateways.egress.name}, or empty
 * @param trustDomain the effective trust domain, or empty
 * @param rootConfigMap the effective certificate-chain ConfigMap name, or empty
 * @param rootConfigMapDefaulted whether that name is the default
 */
public record PeerDraft(Resource resource, Optional<PeerConfig> config, String ingressGateway, String egressGateway,
                        String trustDomain, String rootConfigMap, boolean rootConfigMapDefaulted) {

    public PeerDraft {
        requireNonNull(resource, "resource");
        requireNonNull(config, "config");
        requireNonNull(ingressGateway, "ingressGateway");
        requireNonNull(egressGateway, "egressGateway");
        requireNonNull(trustDomain, "trustDomain");
        requireNonNull(rootConfigMap, "rootConfigMap");
    }

    /** The resource's location and problem reporting. */
    public ResourceContext context() {
        return resource.context();
    }

    /** The peer name. */
    public String name() {
        return resource.name();
    }
}
