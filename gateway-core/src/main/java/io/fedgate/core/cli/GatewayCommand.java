package io.fedgate.core.cli;

import java.io.PrintStream;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Level;
import java.util.logging.Logger;

import io.fedgate.core.gateway.Gateway;
import io.fedgate.core.gateway.GatewayContext;
import io.fedgate.core.gateway.GatewayRole;
import io.fedgate.core.gateway.GatewayStartup;
import io.fedgate.core.gateway.StartupException;
import io.fedgate.core.logging.Logging;
import sun.misc.Signal;

/**
 * The shared front half of {@code fedgate ingress} and {@code fedgate egress}: parses the options, prints
 * {@code --help}, prepares the {@link GatewayContext} (config, identity, trust) and reports every problem before
 * anything listens. Exit status: 0 after a clean stop, 1 when the config or identity is invalid, 2 for a bad
 * command line.
 */
public final class GatewayCommand {
    public static final int OK = 0;
    public static final int INVALID = 1;
    public static final int USAGE = 2;

    private static final Logger LOG = Logger.getLogger(GatewayCommand.class.getName());

    private GatewayCommand() {
    }

    /**
     * The outcome of {@link #prepare}: a context to run, or the exit status after help or problems were printed.
     *
     * @param context    the prepared gateway, or {@code null}
     * @param exitStatus meaningful when {@code context} is {@code null}
     */
    public record Prepared(GatewayContext context, int exitStatus) {
        /** Whether the gateway may start. */
        public boolean ready() {
            return context != null;
        }
    }

    /**
     * The whole life of a gateway process: prepares its context (exit 1 or 2 with every problem), takes over SIGHUP
     * before anything listens (its default action would end the JVM) to reload, starts the gateway, drains it on
     * SIGTERM or SIGINT, and returns 0 once it has closed.
     *
     * @return the exit status
     */
    public static int run(GatewayRole role, String summary, String[] args, Gateway.Starter starter)
            throws InterruptedException {
        Logging.configure();
        Prepared prepared = prepare(role, summary, args, System.out, System.err);
        if (!prepared.ready()) {
            return prepared.exitStatus();
        }
        AtomicReference<Gateway> running = new AtomicReference<>();
        Signal.handle(new Signal("HUP"), signal -> {
            Gateway current = running.get();
            if (current != null) {
                current.reload();
            } else {
                LOG.warning("SIGHUP before the listeners were bound: ignored");
            }
        });
        Gateway gateway;
        try {
            gateway = starter.start(prepared.context());
        } catch (StartupException e) {
            System.err.println("fedgate " + role.label() + " " + prepared.context().name() + ": cannot start:");
            e.problems().forEach(problem -> System.err.println("  " + problem));
            return INVALID;
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, "cannot start: " + e.getMessage(), e);
            return INVALID;
        }
        running.set(gateway);
        // SIGTERM is Kubernetes' "stop": drain, then exit 0. The JVM's own handling would run the shutdown hook
        // below and exit 143 without draining. A second signal (Ctrl-C again) stops at once.
        AtomicBoolean signalled = new AtomicBoolean();
        for (String name : new String[] {"TERM", "INT"}) {
            Signal.handle(new Signal(name), signal -> {
                if (signalled.compareAndSet(false, true)) {
                    new Thread(gateway::drain, "fedgate-drain").start();
                } else {
                    LOG.warning("SIG" + signal.getName() + " while draining: closing every connection now");
                    new Thread(gateway::close, "fedgate-close").start();
                }
            });
        }
        Runtime.getRuntime().addShutdownHook(new Thread(gateway::close, "fedgate-shutdown"));
        gateway.awaitClose();
        return OK;
    }

    /** Parses {@code args} and prepares the gateway's context, printing help or every problem found. */
    public static Prepared prepare(GatewayRole role, String summary, String[] args, PrintStream out, PrintStream err) {
        CommandLine cli = GatewayOptions.commandLine(role.label(), summary);
        CommandLine.Parsed parsed = cli.parse(args);
        if (parsed.helpRequested()) {
            out.print(cli.usage());
            return new Prepared(null, OK);
        }
        GatewayOptions options = GatewayOptions.from(parsed);
        if (options == null) {
            parsed.problems().forEach(problem -> err.println(cli.command() + ": " + problem));
            err.println("(" + cli.command() + " --help lists the options)");
            return new Prepared(null, USAGE);
        }
        try {
            GatewayContext context = GatewayStartup.prepare(role, options);
            LOG.info(() -> role.label() + " " + context.name() + " in " + options.namespace() + ": identity "
                    + context.identity().spiffeId() + ", peers " + context.peerNames() + ", trust domains "
                    + context.trustBundles().trustDomains() + ", TLS provider " + context.tlsProvider().description());
            return new Prepared(context, OK);
        } catch (StartupException e) {
            err.println(cli.command() + " " + options.name() + ": cannot start, "
                    + e.problems().size() + (e.problems().size() == 1 ? " problem:" : " problems:"));
            e.problems().forEach(problem -> err.println("  " + problem));
            return new Prepared(null, INVALID);
        }
    }
}
