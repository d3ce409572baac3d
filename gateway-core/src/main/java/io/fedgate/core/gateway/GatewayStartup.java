package io.fedgate.core.gateway;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

import io.fedgate.core.cli.GatewayOptions;
import io.fedgate.core.config.ConfigException;
import io.fedgate.core.config.ConfigLoader;
import io.fedgate.core.config.ConfigOptions;
import io.fedgate.core.config.FederationConfig;
import io.fedgate.core.config.PeerConfig;
import io.fedgate.core.tls.GatewayIdentity;
import io.fedgate.core.tls.TlsProvider;
import io.fedgate.core.trust.TrustBundles;
import io.fedgate.core.trust.TrustBundlesBuilder;

/**
 * Turns a gateway's options into a {@link GatewayContext}, checking everything that can be checked before a socket
 * is bound (ghostunnel's rule: a gateway that would refuse every connection must not start). All problems are
 * collected: the config's, the identity files', and the combinations of the two.
 */
public final class GatewayStartup {
    private GatewayStartup() {
    }

    /**
     * Loads and checks the configuration and identity of a gateway.
     *
     * @throws StartupException with every problem found
     */
    public static GatewayContext prepare(GatewayRole role, GatewayOptions options) {
        requireNonNull(role, "role");
        requireNonNull(options, "options");
        List<String> problems = new ArrayList<>();

        FederationConfig config = null;
        try {
            ConfigOptions configOptions = ConfigOptions.builder(options.namespace())
                    .clusterDomain(options.clusterDomain())
                    .build();
            config = new ConfigLoader(configOptions).load(options.configDir());
        } catch (ConfigException e) {
            e.problems().forEach(problem -> problems.add(problem.toString()));
        } catch (IllegalArgumentException e) {
            problems.add("--namespace/--cluster-domain: " + e.getMessage());
        }

        GatewayIdentity identity = null;
        try {
            identity = GatewayIdentity.load(options.certChain(), options.key(), options.rootCert());
        } catch (IllegalArgumentException e) {
            problems.add(e.getMessage());
        }

        TlsProvider provider = null;
        try {
            provider = TlsProvider.select();
        } catch (IllegalArgumentException | IllegalStateException e) {
            problems.add("-D" + TlsProvider.PROPERTY + ": " + e.getMessage());
        }

        List<PeerConfig> peers = List.of();
        if (config != null) {
            peers = role.peersServedBy(config, options.name());
            if (peers.isEmpty()) {
                problems.add("no ServiceMeshPeer in namespace " + options.namespace() + " has "
                        + role.gatewayField() + ": " + options.name() + " (peers there: "
                        + describeGateways(role, config) + ")");
            }
        }

        TrustBundles bundles = null;
        if (config != null && identity != null) {
            bundles = trustBundles(config, peers, identity, problems);
        }

        if (!problems.isEmpty()) {
            throw new StartupException(problems);
        }
        return new GatewayContext(role, options, config, peers, identity, bundles, provider);
    }

    /** One bundle per trust domain: this mesh's own roots, and each served peer's roots from its ConfigMap. */
    private static TrustBundles trustBundles(FederationConfig config, List<PeerConfig> peers,
                                             GatewayIdentity identity, List<String> problems) {
        TrustBundlesBuilder builder = TrustBundles.builder().add(identity.trustDomain(), identity.roots());
        for (PeerConfig peer : peers) {
            String trustDomain = peer.security().trustDomain();
            if (trustDomain.equals(identity.trustDomain())) {
                problems.add("ServiceMeshPeer " + peer.namespace() + "/" + peer.name() + ": spec.security.trustDomain: "
                        + trustDomain + " is this gateway's own trust domain (from " + identity.spiffeId()
                        + "); federated meshes need distinct trust domains");
                continue;
            }
            builder.add(trustDomain, config.rootBundle(peer.name()));
        }
        return problems.isEmpty() ? builder.build() : null;
    }

    private static String describeGateways(GatewayRole role, FederationConfig config) {
        if (config.peers().isEmpty()) {
            return "none";
        }
        return config.peers().stream()
                .map(peer -> peer.name() + " -> " + role.gatewayName(peer))
                .collect(Collectors.joining(", "));
    }
}
