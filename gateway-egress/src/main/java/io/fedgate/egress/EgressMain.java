package io.fedgate.egress;

import io.fedgate.core.cli.GatewayCommand;
import io.fedgate.core.gateway.GatewayRole;

/**
 * Entry point of the egress gateway process, {@code fedgate egress}. SIGHUP reloads the config directory and the
 * certificate files; SIGTERM (or SIGINT) closes the listeners and exits.
 */
public final class EgressMain {
    static final String SUMMARY = "Egress gateway: sends this mesh's service traffic to a peer mesh over mutual TLS.";

    private EgressMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        System.exit(GatewayCommand.run(GatewayRole.EGRESS, SUMMARY, args, EgressServer::start));
    }
}
