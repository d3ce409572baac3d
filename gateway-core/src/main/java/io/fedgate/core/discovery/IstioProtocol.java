package io.fedgate.core.discovery;

import static java.util.Objects.requireNonNull;

import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import io.fedgate.core.config.ServicePort;

/**
 * The protocol of a Service port as Istio names it, which is what the reference publishes in
 * {@code servicePorts[].protocol}. This is Istio's Kubernetes rule ({@code kube.ConvertProtocol}) without
 * {@code appProtocol}, which the config model does not keep:
 *
 * <ol>
 *   <li>a {@code UDP} Service port is {@code UDP};</li>
 *   <li>a name starting with {@code grpc-web} (any case) is {@code GRPC-Web};</li>
 *   <li>otherwise the name up to its first {@code -} is looked up, ignoring case: {@code tcp} {@code TCP},
 *       {@code udp} {@code UDP}, {@code grpc} {@code GRPC}, {@code http} {@code HTTP}, {@code http_proxy}
 *       {@code HTTP_PROXY}, {@code http2} {@code HTTP2}, {@code https} {@code HTTPS}, {@code tls} {@code TLS},
 *       {@code mongo} {@code Mongo}, {@code redis} {@code Redis}, {@code mysql} {@code MySQL};</li>
 *   <li>an unknown or missing prefix is {@code TCP} on the well-known ports 25, 53, 3306 and 27017, and
 *       {@code UnsupportedProtocol} (Istio's "sniff it" value) on any other port.</li>
 * </ol>
 *
 * So {@code http} is {@code HTTP}, {@code tcp-extra} is {@code TCP}, {@code http2-api} is {@code HTTP2}, and an
 * unnamed port 8080 is {@code UnsupportedProtocol}, exactly as an Istio control plane reports them.
 */
public final class IstioProtocol {
    /** Istio's value for a port whose protocol it will sniff. */
    public static final String UNSUPPORTED = "UnsupportedProtocol";

    private static final String GRPC_WEB = "GRPC-Web";
    private static final String GRPC_WEB_PREFIX = "grpc-web";
    private static final Map<String, String> BY_PREFIX = Map.ofEntries(
            Map.entry("tcp", "TCP"),
            Map.entry("udp", "UDP"),
            Map.entry("grpc", "GRPC"),
            Map.entry("http", "HTTP"),
            Map.entry("http_proxy", "HTTP_PROXY"),
            Map.entry("http2", "HTTP2"),
            Map.entry("https", "HTTPS"),
            Map.entry("tls", "TLS"),
            Map.entry("mongo", "Mongo"),
            Map.entry("redis", "Redis"),
            Map.entry("mysql", "MySQL"));
    /**
     * Every protocol name a discovery server may publish: each value {@link #of} returns, plus {@code Thrift}, which
     * older Istio releases (and so some reference peers) still name. Exact spelling, as Istio writes them.
     */
    public static final Set<String> NAMES = names();
    /** SMTP, DNS, MySQL and MongoDB: Istio never sniffs these. */
    private static final Set<Integer> WELL_KNOWN_TCP_PORTS = Set.of(25, 53, 3306, 27017);

    private IstioProtocol() {
    }

    private static Set<String> names() {
        Set<String> names = new TreeSet<>(BY_PREFIX.values());
        names.add(GRPC_WEB);
        names.add("Thrift");
        names.add(UNSUPPORTED);
        return Collections.unmodifiableSet(names);
    }

    /** The Istio protocol of {@code port}. */
    public static String of(ServicePort port) {
        requireNonNull(port, "port");
        if (port.protocol().equals("UDP")) {
            return "UDP";
        }
        String name = port.name().toLowerCase(Locale.ROOT);
        if (name.startsWith(GRPC_WEB_PREFIX)) {
            return GRPC_WEB;
        }
        int dash = name.indexOf('-');
        String prefix = dash >= 0 ? name.substring(0, dash) : name;
        String protocol = BY_PREFIX.get(prefix);
        if (protocol != null) {
            return protocol;
        }
        return WELL_KNOWN_TCP_PORTS.contains(port.port()) ? "TCP" : UNSUPPORTED;
    }
}
