package io.fedgate.core.gateway;

import java.util.List;
import java.util.Locale;

import io.fedgate.core.config.FederationConfig;
import io.fedgate.core.config.PeerConfig;

/** Which side of a federation link a gateway process serves; it decides which peers name the gateway. */
public enum GatewayRole {
    /** Accepts a peer's service traffic and discovery requests. */
    INGRESS,
    /** Sends this mesh's service traffic and discovery requests to a peer. */
    EGRESS;

    /** Lowercase name as commands, logs and metric tags use it. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The peers whose {@code spec.gateways.<role>.name} is {@code gatewayName}. */
    public List<PeerConfig> peersServedBy(FederationConfig config, String gatewayName) {
        return this == INGRESS ? config.peersForIngress(gatewayName) : config.peersForEgress(gatewayName);
    }

    /** The gateway name field of a peer for this role, as a field path for messages. */
    public String gatewayField() {
        return "spec.gateways." + label() + ".name";
    }

    /** The gateway name a peer gives this role. */
    public String gatewayName(PeerConfig peer) {
        return this == INGRESS ? peer.gateways().ingress() : peer.gateways().egress();
    }
}
