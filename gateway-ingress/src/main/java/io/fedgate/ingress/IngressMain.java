package io.fedgate.ingress;

import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Level;
import java.util.logging.Logger;

import io.fedgate.core.cli.GatewayCommand;
import io.fedgate.core.gateway.GatewayRole;
import io.fedgate.core.gateway.StartupException;
import io.fedgate.core.logging.Logging;
import sun.misc.Signal;

/**
 * Entry point of the ingress gateway process, {@code fedgate ingress}. SIGHUP reloads the config directory and the
 * certificate files; SIGTERM (or SIGINT) closes the listeners and exits.
 */
public final class IngressMain {
    static final String SUMMARY = "Ingress gateway: accepts a peer mesh's service traffic (raw TLS) and discovery requests.";

    private static final Logger LOG = Logger.getLogger(IngressMain.class.getName());

    private IngressMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        Logging.configure();
        GatewayCommand.Prepared prepared = GatewayCommand.prepare(GatewayRole.INGRESS, SUMMARY, args, System.out, System.err);
        if (!prepared.ready()) {
            System.exit(prepared.exitStatus());
        }
        // SIGHUP's default action ends the JVM: take it over before anything listens, so no window exists in which a
        // reload request kills the gateway.
        AtomicReference<IngressServer> running = new AtomicReference<>();
        Signal.handle(new Signal("HUP"), signal -> {
            IngressServer current = running.get();
            if (current != null) {
                current.reload();
            } else {
                LOG.warning("SIGHUP before the listeners were bound: ignored");
            }
        });
        IngressServer server;
        try {
            server = IngressServer.start(prepared.context());
        } catch (StartupException e) {
            System.err.println("fedgate ingress " + prepared.context().name() + ": cannot start:");
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
