package io.fedgate.ingress;

import io.fedgate.core.cli.GatewayCommand;
import io.fedgate.core.gateway.GatewayRole;
import io.fedgate.core.logging.Logging;

/** Entry point of the ingress gateway process, {@code fedgate ingress}. */
public final class IngressMain {
    static final String SUMMARY = "Ingress gateway: accepts a peer mesh's service traffic (raw TLS) and discovery requests.";

    /** Exit status while this build only runs the start-up checks. */
    static final int NOT_SERVING = 3;

    private IngressMain() {
    }

    public static void main(String[] args) {
        Logging.configure();
        GatewayCommand.Prepared prepared = GatewayCommand.prepare(GatewayRole.INGRESS, SUMMARY, args, System.out, System.err);
        if (!prepared.ready()) {
            System.exit(prepared.exitStatus());
        }
        // The listeners arrive with the ingress issue; until then the process stops after its start-up checks.
        System.err.println("fedgate ingress " + prepared.context().name() + ": start-up checks passed; "
                + "this build does not serve traffic yet");
        System.exit(NOT_SERVING);
    }
}
