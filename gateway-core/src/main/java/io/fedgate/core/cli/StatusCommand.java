package io.fedgate.core.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

import io.fedgate.core.relay.RelayErrors;
import io.fedgate.core.status.GatewayStatus;
import io.fedgate.core.status.PeerStatusView;
import io.fedgate.core.status.StatusJson;

/**
 * {@code fedgate status --peer NAME --admin HOST:PORT [--admin HOST:PORT ...]}: asks each gateway's admin listener
 * for its part of the peer's status ({@code GET /federation/status}) and prints the merged
 * {@code ServiceMeshPeer} status, as {@code oc get servicemeshpeer -o yaml} shows it, plus the most likely cause when
 * the link is down. Exit status: 0 connected, 3 not connected, 1 when no gateway could be asked, 2 bad command line.
 */
public final class StatusCommand {
    public static final int CONNECTED = 0;
    public static final int UNREACHABLE = 1;
    public static final int USAGE = 2;
    public static final int NOT_CONNECTED = 3;

    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private StatusCommand() {
    }

    public static void main(String[] args) {
        System.exit(run(System.out, System.err, args));
    }

    /** Runs the command; returns the exit status. */
    public static int run(PrintStream out, PrintStream err, String... args) {
        CommandLine cli = new CommandLine("fedgate status",
                "Prints a ServiceMeshPeer's status, merged from its gateways' admin listeners.")
                .option("peer", "NAME", null, "the peer, as metadata.name of its ServiceMeshPeer")
                .repeatable("admin", "HOST:PORT", "a gateway's admin listener (give the ingress and the egress)");
        CommandLine.Parsed parsed = cli.parse(args);
        if (parsed.helpRequested()) {
            out.print(cli.usage());
            return CONNECTED;
        }
        if (!parsed.problems().isEmpty()) {
            parsed.problems().forEach(problem -> err.println(cli.command() + ": " + problem));
            return USAGE;
        }
        Optional<PeerStatusView> view = query(parsed.value("peer"), parsed.values("admin"),
                problem -> err.println(cli.command() + ": " + problem));
        if (view.isEmpty()) {
            return UNREACHABLE;
        }
        out.print(view.get().yaml());
        return view.get().connected() ? CONNECTED : NOT_CONNECTED;
    }

    /**
     * Asks each admin listener for its part of {@code peer}'s status and merges the answers.
     *
     * @param problems told of each gateway that did not answer, and why
     * @return empty when no gateway answered on the peer
     */
    public static Optional<PeerStatusView> query(String peer, List<String> admins, Consumer<String> problems) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
        List<GatewayStatus> reports = new ArrayList<>();
        for (String admin : admins) {
            try {
                reports.add(fetch(http, admin));
            } catch (IOException | IllegalArgumentException e) {
                problems.accept(admin + ": " + RelayErrors.describe(e));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Optional.empty();
            }
        }
        if (reports.isEmpty()) {
            problems.accept("no gateway answered");
            return Optional.empty();
        }
        try {
            return Optional.of(PeerStatusView.of(peer, reports));
        } catch (IllegalArgumentException e) {
            problems.accept(e.getMessage());
            return Optional.empty();
        }
    }
    private static GatewayStatus fetch(HttpClient http, String admin) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://" + admin + "/federation/status"))
                .timeout(TIMEOUT).GET().build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("GET /federation/status answered " + response.statusCode());
        }
        return StatusJson.read(response.body());
    }
}
