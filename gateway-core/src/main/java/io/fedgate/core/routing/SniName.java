package io.fedgate.core.routing;

import static java.util.Objects.requireNonNull;

import java.util.Locale;

/**
 * A TLS server name as federation gateways see it: either a plain host ({@code ratings.bookinfo.svc.red-mesh-exports.local})
 * or Istio's cluster form {@code outbound_.<port>_.<subset>_.<host>} ({@code outbound_.9080_._.ratings...}), whose
 * port selects the service port. Names compare case-insensitively and without a trailing dot, so they are kept
 * lowercase.
 *
 * @param host the service host name, lowercase
 * @param port the service port from the Istio form, or 0 for a plain host
 */
public record SniName(String host, int port) {
    private static final String OUTBOUND_PREFIX = "outbound_.";

    public SniName {
        requireNonNull(host, "host");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port: " + port + " (expected: 0-65535)");
        }
    }

    /**
     * Parses a server name. A name that starts with {@code outbound_.} but does not follow the Istio form is kept
     * as a plain host (and so will match nothing).
     */
    public static SniName parse(String serverName) {
        String name = requireNonNull(serverName, "serverName").toLowerCase(Locale.ROOT);
        if (name.endsWith(".")) {
            name = name.substring(0, name.length() - 1);
        }
        if (name.startsWith(OUTBOUND_PREFIX)) {
            int portEnd = name.indexOf("_.", OUTBOUND_PREFIX.length());
            int subsetEnd = portEnd < 0 ? -1 : name.indexOf("_.", portEnd + 2);
            if (subsetEnd > 0 && subsetEnd + 2 < name.length()) {
                int port = parsePort(name.substring(OUTBOUND_PREFIX.length(), portEnd));
                if (port > 0) {
                    return new SniName(name.substring(subsetEnd + 2), port);
                }
            }
        }
        return new SniName(name, 0);
    }

    /** Istio's form for {@code host} and {@code port} with no subset: {@code outbound_.<port>_._.<host>}. */
    public static String outbound(int port, String host) {
        return OUTBOUND_PREFIX + port + "_._." + host;
    }

    /** Whether the name carried a port (the Istio form). */
    public boolean hasPort() {
        return port != 0;
    }

    private static int parsePort(String digits) {
        if (digits.isEmpty() || digits.length() > 5) {
            return -1;
        }
        for (int i = 0; i < digits.length(); i++) {
            if (digits.charAt(i) < '0' || digits.charAt(i) > '9') {
                return -1;
            }
        }
        int port = Integer.parseInt(digits);
        return port >= 1 && port <= 65535 ? port : -1;
    }
}
