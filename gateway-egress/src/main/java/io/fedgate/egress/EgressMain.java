package io.fedgate.egress;

import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Level;
import java.util.logging.Logger;

import io.fedgate.core.cli.GatewayCommand;
import io.fedgate.core.gateway.GatewayRole;
import io.fedgate.core.gateway.StartupException;
import io.fedgate.core.logging.Logging;
import sun.misc.Signal;

/**
 * Entry point of the egress gateway process, {@code fedgate egress}. SIGHUP reloads the config directory and the
 * certificate files; SIGTERM (or SIGINT) closes the listeners and exits.
 */
public final class EgressMain {
    static final String SUMMARY = "Egress gateway: sends this mesh's service traffic to a peer mesh over mutual TLS.";

    private static final Logger LOG = Logger.getLogger(EgressMain.class.getName());

    private EgressMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        Logging.configure();
        GatewayCommand.Prepared prepared = GatewayCommand.prepare(GatewayRole.EGRESS, SUMMARY, args, System.out, System.err);
        if (!prepared.ready()) {
            System.exit(prepared.exitStatus());
        }
        // SIGHUP's default action ends the JVM: take it over before anything listens, so no window exists in which a
        // reload request kills the gateway.
        AtomicReference<EgressServer> running = new AtomicReference<>();
        Signal.handle(new Signal("HUP"), signal -> {
            EgressServer current = running.get();
            if (current != null) {
                current.reload();
            } else {
                LOG.warning("SIGHUP before the listeners were bound: ignored");
            }
        });
        EgressServer server;
        try {
            server = EgressServer.start(prepared.context());
        } catch (StartupException e) {
            System.err.println("fedgate egress " + prepared.context().name() + ": cannot start:");
            e.problems().forEach(problem -> System.err.println("  " + problem));
            System.exit(GatewayCommand.INVALID);
            return;
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, "cannot start: " + e.getMessage(), e);
            System.exit(GatewayCommand.INVALID);
            return;
        }
        running.set(server);
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "fedgate-shutdown"));
        server.awaitClose();
    }
}
