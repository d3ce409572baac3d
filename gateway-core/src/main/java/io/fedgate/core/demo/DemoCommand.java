package io.fedgate.core.demo;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;

import io.fedgate.core.cli.CommandLine;
import io.fedgate.core.demo.LinkTraffic.Result;
import io.fedgate.core.demo.LoopbackFederation.Breakage;
import io.fedgate.core.demo.LoopbackFederation.Link;
import io.fedgate.core.demo.LoopbackFederation.Ports;
import io.fedgate.core.demo.LoopbackFederation.Site;
import io.fedgate.core.probe.TrafficClient;
import io.fedgate.core.status.PeerStatusView;

/**
 * {@code fedgate demo}: federates two or more meshes on loopback with real gateway processes, sends digest-verified
 * traffic over every link, prints a table of the results and every {@code ServiceMeshPeer}'s status, and stops what
 * it started. See {@link LoopbackFederation} for the layout.
 *
 * <p>Exit status: 0 when every link works (with {@code --break}: when exactly the links the breakage should break
 * fail, each with a diagnosis, and the others work); 1 when a link fails otherwise or the federation does not come
 * up; 2 for a bad command line or ports in use.
 */
public final class DemoCommand {
    public static final int OK = 0;
    public static final int LINK_FAILED = 1;
    public static final int USAGE = 2;

    private static final Duration STARTUP = Duration.ofSeconds(60);
    private static final Duration CONNECTED = Duration.ofSeconds(30);
    private static final Duration CONNECTION_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration BROKEN_LINK_TIMEOUT = Duration.ofSeconds(5);
    private static final int SHORT_CONNECTIONS = 50;

    private final PrintStream out;
    private final PrintStream err;

    private DemoCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    public static void main(String[] args) {
        System.exit(run(System.out, System.err, args));
    }

    /** Runs the command; returns the exit status. */
    public static int run(PrintStream out, PrintStream err, String... args) {
        CommandLine cli = new CommandLine("fedgate demo",
                "Federates meshes on loopback, one process per gateway, and sends digest-verified traffic over every "
                        + "link.")
                .option("meshes", "A,B[,C...]", "red,green", "the meshes, each federated with every other")
                .optional("base-port", "PORT", "use PORT..PORT+3 instead of 15443, 8188, 15000 and 9080")
                .optional("work-dir", "DIR", "where certificates, config and logs go (default: a new temporary directory)")
                .option("bytes", "MIB", "32", "MiB echoed over each link by the bulk transfer")
                .optional("break", "WHAT", "misconfigure the first mesh's ServiceMeshPeer for the second: clientid, "
                        + "trust-domain or certificate-chain")
                .flag("keep-running", "leave the federation up and print how to use it")
                .optional("ingress-jar", "FILE", "the ingress gateway's jar (default: found next to the build)")
                .optional("egress-jar", "FILE", "the egress gateway's jar");
        CommandLine.Parsed parsed = cli.parse(args);
        if (parsed.helpRequested()) {
            out.print(cli.usage());
            return OK;
        }
        List<String> meshes = Arrays.stream(parsed.value("meshes").split(",")).map(String::trim).toList();
        int bytesMib = parsed.integer("bytes", 1, 4096);
        Breakage breakage = Breakage.NONE;
        if (parsed.has("break")) {
            try {
                breakage = Breakage.parse(parsed.value("break"));
            } catch (IllegalArgumentException e) {
                parsed.problem("--break: " + e.getMessage());
            }
        }
        boolean keepRunning = parsed.has("keep-running");
        Ports ports = Ports.standard();
        if (parsed.has("base-port")) {
            try {
                ports = Ports.from(Integer.parseInt(parsed.value("base-port")));
            } catch (IllegalArgumentException e) {
                parsed.problem("--base-port: " + e.getMessage());
            }
        }
        if (parsed.has("ingress-jar") != parsed.has("egress-jar")) {
            parsed.problem("--ingress-jar and --egress-jar go together");
        }
        if (!parsed.problems().isEmpty()) {
            parsed.problems().forEach(problem -> err.println(cli.command() + ": " + problem));
            return USAGE;
        }
        LoopbackFederation federation;
        try {
            Path directory = parsed.has("work-dir") ? Path.of(parsed.value("work-dir"))
                    : Files.createTempDirectory("fedgate-demo-"
                    + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", Locale.ROOT)) + "-");
            LoopbackFederation.Builder builder = LoopbackFederation.builder(meshes).directory(directory).ports(ports)
                    .breakage(breakage).jvmArgs(List.of("-XX:+UseSerialGC"));
            if (parsed.has("ingress-jar")) {
                builder.jars(Path.of(parsed.value("ingress-jar")), Path.of(parsed.value("egress-jar")));
            }
            federation = builder.build();
        } catch (IllegalArgumentException | IllegalStateException | IOException e) {
            err.println(cli.command() + ": " + e.getMessage());
            return USAGE;
        }
        return new DemoCommand(out, err).run(federation, bytesMib * (1L << 20), keepRunning);
    }

    private int run(LoopbackFederation federation, long bulkBytes, boolean keepRunning) {
        Optional<String> inUse = federation.firstAddressInUse();
        if (inUse.isPresent()) {
            err.println("fedgate demo: cannot listen on " + inUse.get());
            err.println("fedgate demo: another demo may still be running; or move every port with --base-port, "
                    + "e.g. --base-port 21000");
            return USAGE;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (!federation.gateways().isEmpty()) {
                out.printf("%nstopping %d gateway processes; files and logs stay in %s%n",
                        federation.gateways().size(), federation.directory());
                federation.close();
            }
        }, "fedgate-demo-stop"));
        try {
            return runStarted(federation, bulkBytes, keepRunning);
        } catch (IllegalStateException e) {
            err.println("fedgate demo: " + e.getMessage());
            err.println("fedgate demo: logs in " + federation.directory().resolve("logs"));
            return LINK_FAILED;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return LINK_FAILED;
        } finally {
            federation.close();
        }
    }

    private int runStarted(LoopbackFederation federation, long bulkBytes, boolean keepRunning)
            throws InterruptedException {
        long started = System.nanoTime();
        List<Site> sites = federation.sites();
        int peers = sites.size() * (sites.size() - 1);
        out.printf("fedgate demo: %d meshes (%s), %d ServiceMeshPeers, %d gateway processes%n", sites.size(),
                String.join(", ", sites.stream().map(Site::shortName).toList()), peers, 2 * peers);
        out.println("work directory: " + federation.directory());
        if (federation.breakage() != Breakage.NONE) {
            out.printf("breaking on purpose: %s in %s's ServiceMeshPeer %s%n", federation.breakage().label(),
                    sites.get(0).mesh().namespace(), sites.get(1).mesh().name());
        }
        federation.writeFiles().startEchoServices().startGateways(STARTUP);
        boolean connected = federation.awaitConnected(CONNECTED);
        out.printf("all gateways up in %.1f s%s%n%n", (System.nanoTime() - started) / 1e9,
                connected ? "" : "; some peers did not connect within " + CONNECTED.toSeconds() + " s");

        List<Link> expectedBroken = federation.brokenLinks();
        List<Result> results = new ArrayList<>();
        try (TrafficClient client = TrafficClient.create()) {
            LinkTraffic traffic = new LinkTraffic(federation, client);
            for (Link link : federation.links()) {
                boolean broken = expectedBroken.contains(link);
                results.add(broken ? traffic.measure(link, 1024, 0, BROKEN_LINK_TIMEOUT)
                        : traffic.measure(link, bulkBytes, SHORT_CONNECTIONS, CONNECTION_TIMEOUT));
            }
        }
        printTable(results, bulkBytes);
        printStatuses(federation);
        boolean asExpected = diagnose(federation, results, expectedBroken);
        if (keepRunning) {
            printUsage(federation);
            awaitInterrupt();
        }
        out.printf("%nstopping %d gateway processes; files and logs stay in %s%n", federation.gateways().size(),
                federation.directory());
        return asExpected ? OK : LINK_FAILED;
    }

    private void printTable(List<Result> results, long bulkBytes) {
        out.printf("%-18s %-22s %-28s %s%n", "link", "bulk " + (bulkBytes >> 20) + " MiB echoed",
                "new connection, 1 KiB echo", "result");
        for (Result result : results) {
            String bulk = result.ok() ? String.format("%8.1f MiB/s", result.mibPerSecond()) : "-";
            String latency = result.ok() && result.connections() > 0
                    ? String.format("p50 %5.1f ms  p99 %5.1f ms", result.p50Millis(), result.p99Millis()) : "-";
            String outcome = result.ok() ? "ok, sha256 " + result.sha256().substring(0, 12) + " both ways"
                    : "FAILED: " + result.failure().get();
            out.printf("%-18s %-22s %-28s %s%n", result.link(), bulk, latency, outcome);
        }
        out.println();
    }

    private void printStatuses(LoopbackFederation federation) {
        for (Site site : federation.sites()) {
            for (Site peer : federation.sites()) {
                if (site == peer) {
                    continue;
                }
                out.printf("# fedgate status --peer %s --admin %s   (ServiceMeshPeer %s in %s)%n", peer.mesh().name(),
                        String.join(" --admin ", federation.adminAddresses(site, peer)), peer.mesh().name(),
                        site.mesh().namespace());
                List<String> problems = new ArrayList<>();
                Optional<PeerStatusView> view = federation.status(site, peer, problems);
                if (view.isPresent()) {
                    out.print(view.get().yaml());
                } else {
                    out.println("# no status: " + String.join("; ", problems));
                }
                out.println();
            }
        }
    }

    /**
     * Prints one diagnosis per failed link, from both ends' status; returns whether the outcome is what was asked
     * for (every link working, or exactly the deliberately broken ones failing with a diagnosis).
     */
    private boolean diagnose(LoopbackFederation federation, List<Result> results, List<Link> expectedBroken) {
        boolean asExpected = true;
        for (Result result : results) {
            Link link = result.link();
            boolean meantToBreak = expectedBroken.contains(link);
            if (result.ok()) {
                if (meantToBreak) {
                    out.printf("link %s works although %s should break it%n", link, federation.breakage().label());
                    asExpected = false;
                }
                continue;
            }
            Set<String> causes = new LinkedHashSet<>();
            // The calling side's view of its peer (its egress's watch), then the called side's (its ingress's refusals).
            federation.status(link.from(), link.to(), new ArrayList<>()).flatMap(PeerStatusView::cause)
                    .ifPresent(cause -> causes.add(link.from().mesh().namespace() + "/" + link.to().mesh().name()
                            + ": " + cause));
            federation.status(link.to(), link.from(), new ArrayList<>()).flatMap(PeerStatusView::cause)
                    .ifPresent(cause -> causes.add(link.to().mesh().namespace() + "/" + link.from().mesh().name()
                            + ": " + cause));
            out.printf("diagnosis of %s: %s%n", link, causes.isEmpty() ? "no gateway reports a cause; see the logs in "
                    + federation.directory().resolve("logs") : String.join("\n    and ", causes));
            if (!meantToBreak || causes.isEmpty()) {
                asExpected = false;
            }
        }
        if (federation.breakage() == Breakage.NONE) {
            out.println(asExpected ? "every link works" : "some links failed");
        } else {
            out.println(asExpected ? "the broken links fail as " + federation.breakage().label()
                    + " predicts, each with a diagnosis; the others work" : "the outcome differs from what "
                    + federation.breakage().label() + " predicts");
        }
        return asExpected;
    }

    private void printUsage(LoopbackFederation federation) {
        Site from = federation.sites().get(0);
        Site to = federation.sites().get(1);
        Link link = new Link(from, to);
        Path workload = from.workloadDirectory();
        out.printf("%nThe federation is running. From %s, call %s's echo through %s's egress:%n", from.shortName(),
                to.shortName(), from.shortName());
        out.printf("  plain TCP:  nc %s %d%n", federation.egressPlaintext(link).getHostString(),
                federation.egressPlaintext(link).getPort());
        out.printf("  mTLS:       openssl s_client -connect %s:%d -servername %s \\%n"
                        + "                -cert %s -key %s -CAfile %s%n",
                federation.egressService(link).getHostString(), federation.egressService(link).getPort(),
                link.importedHost(), workload.resolve("cert-chain.pem"), workload.resolve("key.pem"),
                workload.resolve("root-cert.pem"));
        out.printf("  status:     bin/fedgate status --peer %s --admin %s%n", to.mesh().name(),
                String.join(" --admin ", federation.adminAddresses(from, to)));
        out.printf("  metrics:    curl http://%s/stats/prometheus%n", federation.adminAddresses(from, to).get(1));
        out.printf("  config:     %s%n", from.configDirectory());
        out.printf("  logs:       %s%n", federation.directory().resolve("logs"));
        out.printf("Stop it with Ctrl-C, or: kill %d%n", ProcessHandle.current().pid());
        out.flush();
    }

    private static void awaitInterrupt() throws InterruptedException {
        // Ctrl-C or SIGTERM runs the shutdown hooks, which stop the federation; this thread just waits for them.
        new CountDownLatch(1).await();
    }
}
