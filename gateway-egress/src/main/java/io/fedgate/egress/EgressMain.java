package io.fedgate.egress;

import io.fedgate.core.cli.GatewayCommand;
import io.fedgate.core.gateway.GatewayRole;
import io.fedgate.core.logging.Logging;

/** Entry point of the egress gateway process, {@code fedgate egress}. */
public final class EgressMain {
    static final String SUMMARY = "Egress gateway: sends this mesh's service traffic and discovery requests to a peer mesh.";

    /** Exit status while this build only runs the start-up checks. */
    static final int NOT_SERVING = 3;

    private EgressMain() {
    }

    public static void main(String[] args) {
        Logging.configure();
        GatewayCommand.Prepared prepared = GatewayCommand.prepare(GatewayRole.EGRESS, SUMMARY, args, System.out, System.err);
        if (!prepared.ready()) {
            System.exit(prepared.exitStatus());
        }
        // The listeners arrive with the egress issue; until then the process stops after its start-up checks.
        System.err.println("fedgate egress " + prepared.context().name() + ": start-up checks passed; "
                + "this build does not serve traffic yet");
        System.exit(NOT_SERVING);
    }
}
