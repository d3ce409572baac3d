package io.fedgate.ingress;

import io.fedgate.core.cli.GatewayCommand;
import io.fedgate.core.gateway.GatewayRole;

/**
 * Entry point of the ingress gateway process, {@code fedgate ingress}. SIGHUP reloads the config directory and the
 * certificate files; SIGTERM (or SIGINT) closes the listeners and exits.
 */
public final class IngressMain {
    static final String SUMMARY = "Ingress gateway: accepts a peer mesh's service traffic (raw TLS) and discovery requests.";

    private IngressMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        System.exit(GatewayCommand.run(GatewayRole.INGRESS, SUMMARY, args, IngressServer::start));
    }
}
