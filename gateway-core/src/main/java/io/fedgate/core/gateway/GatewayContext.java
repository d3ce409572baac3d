package io.fedgate.core.gateway;

import static java.util.Objects.requireNonNull;

import java.util.List;

import io.fedgate.core.cli.GatewayOptions;
import io.fedgate.core.config.FederationConfig;
import io.fedgate.core.config.PeerConfig;
import io.fedgate.core.tls.GatewayIdentity;
import io.fedgate.core.tls.TlsProvider;
import io.fedgate.core.trust.TrustBundles;

/**
 * Everything a gateway process needs before it binds a socket, validated and immutable: its options, the loaded
 * configuration, the peers it serves, its own identity, the trust bundles (its own mesh's roots plus each served
 * peer's) and the TLS provider. {@link GatewayStartup} builds it; the runtime reads no file.
 */
public record GatewayContext(
        GatewayRole role,
        GatewayOptions options,
        FederationConfig config,
        List<PeerConfig> peers,
        GatewayIdentity identity,
        TrustBundles trustBundles,
        TlsProvider tlsProvider) {

    public GatewayContext {
        requireNonNull(role, "role");
        requireNonNull(options, "options");
        requireNonNull(config, "config");
        peers = List.copyOf(peers);
        requireNonNull(identity, "identity");
        requireNonNull(trustBundles, "trustBundles");
        requireNonNull(tlsProvider, "tlsProvider");
    }

    /** This gateway's name, e.g. {@code ingress-green-mesh}. */
    public String name() {
        return options.name();
    }

    /** Names of the served peers, for logs. */
    public List<String> peerNames() {
        return peers.stream().map(PeerConfig::name).toList();
    }
}
