package io.fedgate.core.discovery;

import static java.util.Objects.requireNonNull;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.fedgate.core.internal.config.Names;
import io.fedgate.core.spiffe.InvalidSpiffeIdException;
import io.fedgate.core.spiffe.SpiffeId;

/**
 * The schema of what a peer's discovery server sends, checked before a client uses any of it: {@link DiscoveryJson}
 * reads tolerantly (a missing or {@code null} string is empty, a missing port 0), so a service without a name would
 * otherwise reach the route table and only a later checksum mismatch would tell. Every service must have
 *
 * <ul>
 *   <li>a {@code name} and a {@code namespace} that are DNS-1123 labels (Kubernetes object names, as aliased);</li>
 *   <li>a {@code hostname} that is a DNS name (not an IP address, no wildcard, no trailing dot);</li>
 *   <li>{@code servicePorts[]} (possibly none) each with a {@code port} 1-65535, a {@code protocol} from
 *       {@link IstioProtocol#NAMES} (exact spelling) and a {@code name} that is empty or a DNS-1123 label;</li>
 *   <li>{@code serviceAccounts[]} (possibly none) each a valid SPIFFE ID.</li>
 * </ul>
 *
 * <p>A list must not publish one hostname twice (a client keys services by hostname, so which one counts would be
 * a guess). Watch events already have a known action and carry a service unless they are a bare {@code update}
 * (the codec refuses others); that service must be valid too, even in a {@code delete}. Unknown fields stay
 * ignored, so a peer may add some.
 *
 * <p>Each rule throws a {@link DiscoveryFormatException} whose message starts with the field path, e.g.
 * {@code services[3].servicePorts[0].port: 0 is not a port (1-65535)}.
 */
public final class DiscoveryValidation {

    private DiscoveryValidation() {
    }

    /**
     * Checks {@code services} in the order the peer sent them (their index is in the paths).
     *
     * @throws DiscoveryFormatException at the first rule broken
     */
    public static void checkServices(List<ServiceMessage> services) {
        requireNonNull(services, "services");
        Map<String, Integer> hostnames = new HashMap<>();
        for (int i = 0; i < services.size(); i++) {
            String path = "services[" + i + "]";
            ServiceMessage service = services.get(i);
            checkService(service, path);
            Integer first = hostnames.putIfAbsent(service.hostname(), i);
            if (first != null) {
                throw invalid(path + ".hostname", Names.quote(service.hostname()) + " is also the hostname of services["
                        + first + "]");
            }
        }
    }

    /**
     * Checks {@code event}'s service, if it has one (a resync has none).
     *
     * @return {@code event}
     * @throws DiscoveryFormatException at the first rule broken
     */
    public static WatchEvent check(WatchEvent event) {
        requireNonNull(event, "event");
        if (event.service() != null) {
            checkService(event.service(), "service");
        }
        return event;
    }

    /**
     * Checks one service; {@code path} prefixes the messages ({@code service}, {@code services[2]}).
     *
     * @throws DiscoveryFormatException at the first rule broken
     */
    public static void checkService(ServiceMessage service, String path) {
        requireNonNull(service, "service");
        requireNonNull(path, "path");
        required(path + ".name", service.name(), Names::checkDns1123Label);
        required(path + ".namespace", service.namespace(), Names::checkDns1123Label);
        required(path + ".hostname", service.hostname(), DiscoveryValidation::checkHostname);
        List<ServicePortMessage> ports = service.servicePorts();
        for (int i = 0; i < ports.size(); i++) {
            checkPort(ports.get(i), path + ".servicePorts[" + i + "]");
        }
        List<String> accounts = service.serviceAccounts();
        for (int i = 0; i < accounts.size(); i++) {
            required(path + ".serviceAccounts[" + i + "]", accounts.get(i), DiscoveryValidation::checkSpiffeId);
        }
    }

    private static void checkPort(ServicePortMessage port, String path) {
        if (port.port() < 1) {
            throw invalid(path + ".port", port.port() + " is not a port (1-65535)");
        }
        required(path + ".protocol", port.protocol(), protocol -> IstioProtocol.NAMES.contains(protocol)
                ? Optional.empty()
                : Optional.of(Names.quote(protocol) + " is not a protocol Istio names (expected one of "
                        + String.join(", ", IstioProtocol.NAMES) + ")"));
        if (!port.name().isEmpty()) {
            Names.checkDns1123Label(port.name()).ifPresent(problem -> {
                throw invalid(path + ".name", problem);
            });
        }
    }

    private static Optional<String> checkHostname(String hostname) {
        return Names.isDnsName(hostname)
                ? Optional.empty()
                : Optional.of(Names.quote(hostname) + " is not a DNS name");
    }

    private static Optional<String> checkSpiffeId(String id) {
        try {
            SpiffeId.parse(id);
            return Optional.empty();
        } catch (InvalidSpiffeIdException e) {
            return Optional.of(e.getMessage());
        }
    }

    private interface Rule {
        Optional<String> problem(String value);
    }

    /** A value that must be present (the codec reads a missing or null string as empty) and pass {@code rule}. */
    private static void required(String path, String value, Rule rule) {
        if (value.isEmpty()) {
            throw invalid(path, "missing");
        }
        rule.problem(value).ifPresent(problem -> {
            throw invalid(path, problem);
        });
    }

    private static DiscoveryFormatException invalid(String path, String problem) {
        return new DiscoveryFormatException(path + ": " + problem);
    }
}
