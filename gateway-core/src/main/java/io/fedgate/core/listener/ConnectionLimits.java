package io.fedgate.core.listener;

/**
 * The connection budgets of one gateway process, so that a flood on one listener, or from one peer, cannot starve
 * the others (HAProxy's per-frontend {@code maxconn} under its global one; Envoy's per-listener connection limits
 * under {@code global_downstream_max_connections}).
 *
 * <ul>
 *   <li>{@link #total}: the service and discovery listeners together ({@code --max-connections}); of it,</li>
 *   <li>{@link #discovery} is kept for the discovery listener ({@code --max-discovery-connections}), which may hold
 *       no more, and the service listeners (the egress's plaintext ones included) get the rest, {@link #service()};
 *       so neither can take the other's room;</li>
 *   <li>{@link #admin}: the admin listener's own budget, outside the total, so that probes and scrapes are answered
 *       through any flood ({@code --max-admin-connections});</li>
 *   <li>{@link #perPeer}: the service listener's connections routed to one peer, 0 for no bound of their own
 *       ({@code --max-connections-per-peer}), so that one peer cannot take a shared ingress's whole budget.</li>
 * </ul>
 *
 * @param total     service and discovery connections together
 * @param discovery the discovery listener's share of {@code total}
 * @param admin     the admin listener's budget
 * @param perPeer   service connections per peer, or 0 for no bound below {@link #service()}
 */
public record ConnectionLimits(int total, int discovery, int admin, int perPeer) {
    /** About 260 MB of connection state at the 13 KB per idle TLS connection measured in {@code bench/RESULTS.md}. */
    public static final int DEFAULT_TOTAL = 20_000;
    /** A watch and a full sync per peer egress replica need a handful; this leaves room for many peers. */
    public static final int DEFAULT_DISCOVERY = 256;
    /** Probes, a scraper and an operator's curl, with room to spare. */
    public static final int DEFAULT_ADMIN = 32;

    public ConnectionLimits {
        if (total < 2) {
            throw new IllegalArgumentException("total: " + total
                    + " (expected: at least 2, one kept for discovery and one for service traffic)");
        }
        if (discovery < 1 || discovery >= total) {
            throw new IllegalArgumentException("discovery: " + discovery + " (expected: 1 to " + (total - 1)
                    + ", less than the total " + total + ")");
        }
        if (admin < 1) {
            throw new IllegalArgumentException("admin: " + admin + " (expected: at least 1)");
        }
        if (perPeer < 0) {
            throw new IllegalArgumentException("perPeer: " + perPeer + " (expected: 0 for none, or more)");
        }
    }

    /** The defaults for a {@code total}: discovery keeps {@link #defaultDiscovery}, no per-peer bound. */
    public static ConnectionLimits of(int total) {
        return new ConnectionLimits(total, defaultDiscovery(total), DEFAULT_ADMIN, 0);
    }

    /** {@value #DEFAULT_DISCOVERY}, or a quarter of {@code total} if that is less, and at least 1. */
    public static int defaultDiscovery(int total) {
        return Math.max(1, Math.min(DEFAULT_DISCOVERY, total / 4));
    }

    /** What the service listeners may hold together: the total less discovery's share. */
    public int service() {
        return total - discovery;
    }
}
