package io.fedgate.core.status;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import io.fedgate.core.discovery.RemoteWatchStatus;
import io.fedgate.core.discovery.client.WatchStatus;

/**
 * Merges the ingress's and the egress's reports on one peer into what {@code oc get servicemeshpeer -o yaml} shows
 * under {@code status}: {@code discoveryStatus.active[]} for entries whose outbound watch is connected,
 * {@code inactive[]} for the others, each with {@code pod}, {@code remotes} and {@code watch}; plus, when the link
 * is not healthy, the one most likely cause the processes know of.
 */
public final class PeerStatusView {
    private final String peer;
    private final List<Entry> active = new ArrayList<>();
    private final List<Entry> inactive = new ArrayList<>();
    private final String cause;

    private record Entry(String pod, List<RemoteWatchStatus> remotes, WatchStatus watch) {
    }

    private PeerStatusView(String peer, List<GatewayStatus> reports) {
        this.peer = peer;
        List<RemoteWatchStatus> remotes = new ArrayList<>();
        List<GatewayStatus> egresses = new ArrayList<>();
        Refusal refusal = null;
        String ingressPod = null;
        for (GatewayStatus report : reports) {
            Optional<PeerStatus> part = report.peer(peer);
            if (part.isEmpty()) {
                continue;
            }
            remotes.addAll(part.get().remotes());
            if (part.get().watch().isPresent()) {
                egresses.add(report);
            } else if (ingressPod == null) {
                ingressPod = report.pod();
            }
            if (part.get().lastRefusal().isPresent()
                    && (refusal == null || part.get().lastRefusal().get().time().isAfter(refusal.time()))) {
                refusal = part.get().lastRefusal().get();
            }
        }
        WatchStatus firstWatch = null;
        for (GatewayStatus egress : egresses) {
            WatchStatus watch = egress.peer(peer).orElseThrow().watch().orElseThrow();
            firstWatch = firstWatch == null ? watch : firstWatch;
            (watch.connected() ? active : inactive).add(new Entry(egress.pod(), remotes, watch));
        }
        if (egresses.isEmpty() && ingressPod != null) {
            inactive.add(new Entry(ingressPod, remotes, null));
        }
        this.cause = cause(firstWatch, remotes, refusal);
    }

    /**
     * Merges the reports (any order, any number of gateways) on {@code peer}.
     *
     * @throws IllegalArgumentException if no report mentions the peer
     */
    public static PeerStatusView of(String peer, List<GatewayStatus> reports) {
        requireNonNull(peer, "peer");
        PeerStatusView view = new PeerStatusView(peer, reports);
        if (view.active.isEmpty() && view.inactive.isEmpty()) {
            throw new IllegalArgumentException("no gateway reported on peer " + peer);
        }
        return view;
    }

    /** Whether every outbound watch is connected. */
    public boolean connected() {
        return inactive.isEmpty();
    }

    /** The most likely cause of a broken link, in one line; empty when the link looks healthy. */
    public Optional<String> cause() {
        return Optional.ofNullable(cause);
    }

    private static String cause(WatchStatus watch, List<RemoteWatchStatus> remotes, Refusal refusal) {
        boolean inboundConnected = remotes.stream().anyMatch(RemoteWatchStatus::connected);
        String ours = !inboundConnected && refusal != null
                ? "we refused the peer's " + refusal.listener() + " connection: " + refusal.message() : null;
        if (watch != null && !watch.connected()) {
            String status = watch.lastDisconnectStatus().orElse("never connected");
            String theirs;
            if (status.startsWith("403")) {
                theirs = "the peer refuses our egress's identity (HTTP 403 on discovery): its clientID for this mesh "
                        + "does not match our egress's SPIFFE ID";
            } else if (status.startsWith(WatchStatus.REFUSED_PREFIX)) {
                // The watch may even be open: what is down is the use of what the peer sends.
                theirs = "the peer's discovery server sends data we refuse: "
                        + status.substring(WatchStatus.REFUSED_PREFIX.length());
            } else {
                theirs = "our watch of the peer is down: " + status;
            }
            // Both directions down: say both, since our refusal may be what the peer's logs cannot explain.
            return ours == null ? theirs : theirs + "; and " + ours;
        }
        return ours;
    }

    /** The {@code status:} document, in YAML, followed by {@code # cause: ...} when there is one. */
    public String yaml() {
        StringBuilder out = new StringBuilder("status:\n  discoveryStatus:\n");
        section(out, "active", active);
        section(out, "inactive", inactive);
        cause().ifPresent(c -> out.append("# cause: ").append(c).append('\n'));
        return out.toString();
    }

    private static void section(StringBuilder out, String name, List<Entry> entries) {
        if (entries.isEmpty()) {
            return;
        }
        out.append("    ").append(name).append(":\n");
        for (Entry entry : entries) {
            out.append("    - pod: ").append(scalar(entry.pod())).append('\n');
            if (!entry.remotes().isEmpty()) {
                out.append("      remotes:\n");
                for (RemoteWatchStatus remote : entry.remotes()) {
                    out.append("      - connected: ").append(remote.connected()).append('\n');
                    time(out, "        ", "lastConnected", remote.lastConnected().orElse(null));
                    time(out, "        ", "lastFullSync", remote.lastFullSync().orElse(null));
                    out.append("        source: ").append(scalar(remote.source())).append('\n');
                }
            }
            if (entry.watch() != null) {
                WatchStatus watch = entry.watch();
                out.append("      watch:\n");
                out.append("        connected: ").append(watch.connected()).append('\n');
                time(out, "        ", "lastConnected", watch.lastConnected().orElse(null));
                time(out, "        ", "lastDisconnect", watch.lastDisconnect().orElse(null));
                if (watch.lastDisconnectStatus().isPresent()) {
                    out.append("        lastDisconnectStatus: ").append(scalar(watch.lastDisconnectStatus().get()))
                            .append('\n');
                }
                time(out, "        ", "lastEvent", watch.lastEvent().orElse(null));
                time(out, "        ", "lastFullSync", watch.lastFullSync().orElse(null));
            }
        }
    }

    private static void time(StringBuilder out, String indent, String name, Instant time) {
        if (time != null) {
            out.append(indent).append(name).append(": \"").append(StatusJson.format(time)).append("\"\n");
        }
    }

    /** A plain scalar when YAML reads it back as the same string, else a double-quoted one. */
    static String scalar(String value) {
        boolean plain = !value.isEmpty() && value.chars().allMatch(c -> Character.isLetterOrDigit(c)
                || " .-_/()".indexOf(c) >= 0) && !value.startsWith(" ") && !value.endsWith(" ")
                && !value.matches("(?i)true|false|yes|no|on|off|null|~|[-+]?[0-9.]+(e[-+]?[0-9]+)?");
        if (plain) {
            return value;
        }
        StringBuilder quoted = new StringBuilder("\"");
        for (char c : value.toCharArray()) {
            if (c == '"' || c == '\\') {
                quoted.append('\\').append(c);
            } else if (c < 0x20) {
                quoted.append(String.format("\\x%02x", (int) c));
            } else {
                quoted.append(c);
            }
        }
        return quoted.append('"').toString();
    }

    @Override
    public String toString() {
        return "PeerStatusView{" + peer + ", active=" + active.size() + ", inactive=" + inactive.size() + '}';
    }
}
