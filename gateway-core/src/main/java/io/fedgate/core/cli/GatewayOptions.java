package io.fedgate.core.cli;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import io.fedgate.core.config.ConfigOptions;
import io.fedgate.core.config.HostPort;
import io.fedgate.core.config.PeerConfig;
import io.fedgate.core.listener.ConnectionLimits;
import io.fedgate.core.listener.HttpRequestTimeoutHandler;
import io.fedgate.core.logging.AccessLog;
import io.fedgate.core.tls.GatewayIdentity;

/**
 * The options every gateway process takes, as typed values. The flag names, defaults and help texts
 * are declared once in {@link #commandLine(String, String)}, ghostunnel-style, so {@code --help},
 * the README and the parser cannot disagree.
 *
 * @param configDir     directory of Kubernetes YAML (ServiceMeshPeer, ConfigMap, ...)
 * @param namespace     this mesh's control-plane namespace, e.g. {@code red-mesh-system}
 * @param name          this gateway's name, matched against {@code spec.gateways.<role>.name}
 * @param certChain     this gateway's certificate chain (PEM, leaf first)
 * @param key           this gateway's private key (PEM)
 * @param rootCert      the local mesh's root certificate(s) (PEM)
 * @param bind          address the listeners bind
 * @param servicePort   service traffic listener port (raw TLS)
 * @param discoveryPort discovery listener port
 * @param adminPort     admin listener port (metrics, health, status)
 * @param clusterDomain Kubernetes cluster domain used to resolve services without EndpointSlices
 * @param handshakeTimeout bound on a downstream's ClientHello and TLS handshake
 * @param idleTimeout   a relayed connection with no bytes either way for this long is closed
 * @param connectTimeout bound on one attempt to connect to an upstream endpoint
 * @param maxClientHello largest ClientHello accepted, in bytes
 * @param discoveryUpstream ingress only: an external discovery server to forward discovery requests to, instead
 *                      of the built-in one
 * @param plaintextPortBase egress only: the first port of the plaintext listeners (one per imported service port,
 *                      on consecutive ports), or 0 for none
 * @param connectionLimits the connection budgets: service and discovery together, discovery's share, the admin
 *                      listener's, per peer
 * @param requestTimeout discovery and admin listeners: bound from a connection's start (or TLS handshake) to its
 *                      first complete request
 * @param drainTimeout  on SIGTERM, how long live connections may take to finish before they are closed
 * @param accessLog     where the access log goes: {@code stdout}, {@code off} or a file
 * @param proxyProtocol ingress only: the service and discovery listeners take a PROXY protocol header first
 */
public record GatewayOptions(
        Path configDir,
        String namespace,
        String name,
        Path certChain,
        Path key,
        Path rootCert,
        String bind,
        int servicePort,
        int discoveryPort,
        int adminPort,
        String clusterDomain,
        Duration handshakeTimeout,
        Duration idleTimeout,
        Duration connectTimeout,
        int maxClientHello,
        Optional<HostPort> discoveryUpstream,
        int plaintextPortBase,
        ConnectionLimits connectionLimits,
        Duration requestTimeout,
        Duration drainTimeout,
        String accessLog,
        boolean proxyProtocol) {

    /** Envoy binds every address by default; so do we. */
    public static final String DEFAULT_BIND = "0.0.0.0";
    /** The listener ports are the ones a peer's {@code spec.remote} defaults to. */
    public static final int DEFAULT_SERVICE_PORT = PeerConfig.DEFAULT_SERVICE_PORT;
    public static final int DEFAULT_DISCOVERY_PORT = PeerConfig.DEFAULT_DISCOVERY_PORT;
    /** Envoy's admin port. */
    public static final int DEFAULT_ADMIN_PORT = 15000;
    /** Netty's and Envoy's order of magnitude for a TLS handshake bound. */
    public static final String DEFAULT_HANDSHAKE_TIMEOUT = "10s";
    /** Envoy's tcp_proxy default idle timeout. */
    public static final String DEFAULT_IDLE_TIMEOUT = "1h";
    /** Envoy's default cluster connect timeout. */
    public static final String DEFAULT_CONNECT_TIMEOUT = "5s";
    /** Envoy's tls_inspector bound; a ClientHello with post-quantum key shares is about 2 KiB. */
    public static final int DEFAULT_MAX_CLIENT_HELLO = 16 * 1024;
    /**
     * About 260 MB of connection state at the 13 KB per idle TLS connection measured in {@code bench/RESULTS.md},
     * and 40,000 descriptors (a relayed connection holds two).
     */
    public static final int DEFAULT_MAX_CONNECTIONS = ConnectionLimits.DEFAULT_TOTAL;
    /** HAProxy's usual {@code timeout http-request}: ample for a request of a few hundred bytes. */
    public static final String DEFAULT_REQUEST_TIMEOUT = "10s";
    /** Fits Kubernetes' default 30 s termination grace period, with time left to exit. */
    public static final String DEFAULT_DRAIN_TIMEOUT = "25s";
    /** Netty's upper bound for a ClientHello. */
    public static final int MAX_CLIENT_HELLO_LIMIT = 64 * 1024;

    public GatewayOptions {
        requireNonNull(configDir, "configDir");
        requireNonNull(namespace, "namespace");
        requireNonNull(name, "name");
        requireNonNull(certChain, "certChain");
        requireNonNull(key, "key");
        requireNonNull(rootCert, "rootCert");
        requireNonNull(bind, "bind");
        requireNonNull(clusterDomain, "clusterDomain");
        requireNonNull(handshakeTimeout, "handshakeTimeout");
        requireNonNull(idleTimeout, "idleTimeout");
        requireNonNull(connectTimeout, "connectTimeout");
        requireNonNull(discoveryUpstream, "discoveryUpstream");
        requireNonNull(drainTimeout, "drainTimeout");
        requireNonNull(accessLog, "accessLog");
        requireNonNull(connectionLimits, "connectionLimits");
        requireNonNull(requestTimeout, "requestTimeout");
        if (plaintextPortBase < 0 || plaintextPortBase > 65535) {
            throw new IllegalArgumentException("plaintextPortBase: " + plaintextPortBase + " (expected: 0-65535)");
        }
    }

    /**
     * The command line of a gateway process.
     *
     * @param role {@code ingress} or {@code egress}
     */
    public static CommandLine commandLine(String role, String summary) {
        CommandLine commandLine = new CommandLine("fedgate " + role, summary)
                .option("config-dir", "DIR", null, "directory of Kubernetes YAML files (ServiceMeshPeer, ConfigMap, ...)")
                .option("namespace", "NS", null, "this mesh's control-plane namespace, e.g. red-mesh-system")
                .option("name", "NAME", null, "this gateway's name, matched against spec.gateways." + role + ".name")
                .option("cert-chain", "FILE", GatewayIdentity.DEFAULT_CERT_CHAIN_PATH, "this gateway's certificate chain (PEM)")
                .option("key", "FILE", GatewayIdentity.DEFAULT_KEY_PATH, "this gateway's private key (PEM, PKCS#8 or traditional)")
                .option("root-cert", "FILE", GatewayIdentity.DEFAULT_ROOT_CERT_PATH, "the local mesh's root certificate(s) (PEM)")
                .option("bind", "ADDR", DEFAULT_BIND, "address the listeners bind")
                .option("service-port", "PORT", String.valueOf(DEFAULT_SERVICE_PORT), "service traffic listener (raw TLS)")
                .option("discovery-port", "PORT", String.valueOf(DEFAULT_DISCOVERY_PORT), "discovery listener")
                .option("admin-port", "PORT", String.valueOf(DEFAULT_ADMIN_PORT), "admin listener (metrics, health, status)")
                .option("cluster-domain", "DOMAIN", ConfigOptions.DEFAULT_CLUSTER_DOMAIN, "resolves services without EndpointSlices as <name>.<ns>.svc.DOMAIN")
                .option("handshake-timeout", "DURATION", DEFAULT_HANDSHAKE_TIMEOUT, "bound on a downstream ClientHello and TLS handshake")
                .option("idle-timeout", "DURATION", DEFAULT_IDLE_TIMEOUT, "close a relayed connection idle this long")
                .option("connect-timeout", "DURATION", DEFAULT_CONNECT_TIMEOUT, "bound on one upstream connect attempt")
                .option("max-client-hello", "BYTES", String.valueOf(DEFAULT_MAX_CLIENT_HELLO), "largest ClientHello accepted (up to 65536)")
                .option("max-connections", "N", String.valueOf(DEFAULT_MAX_CONNECTIONS), "most service and discovery connections at once; more are refused and counted")
                .optional("max-discovery-connections", "N", "discovery's share of --max-connections, which service traffic cannot take (default "
                        + ConnectionLimits.DEFAULT_DISCOVERY + ", at most a quarter of --max-connections)")
                .option("max-admin-connections", "N", String.valueOf(ConnectionLimits.DEFAULT_ADMIN), "the admin listener's own budget, outside --max-connections")
                .option("max-connections-per-peer", "N", "0", "service connections routed to one peer at once (0: no bound of their own)")
                .option("request-timeout", "DURATION", DEFAULT_REQUEST_TIMEOUT, "discovery and admin: bound on a connection's first complete request")
                .option("drain-timeout", "DURATION", DEFAULT_DRAIN_TIMEOUT, "on SIGTERM: readiness 503, stop accepting, let live connections finish this long")
                .option("access-log", "TARGET", AccessLog.STDOUT, "one JSON line per connection: stdout, off, or a file to append to");
        if (role.equals("ingress")) {
            commandLine.optional("discovery-upstream", "HOST:PORT",
                    "forward discovery requests to this external discovery server instead of the built-in one");
            commandLine.flag("proxy-protocol",
                    "the service and discovery listeners expect a PROXY protocol (v2 or v1) header from the load balancer");
        }
        if (role.equals("egress")) {
            commandLine.option("plaintext-port-base", "PORT", "0",
                    "first port of the plaintext listeners, one per imported service port (0: none)");
        }
        return commandLine;
    }

    /**
     * Reads typed options from a parse of {@link #commandLine}; problems (bad ports) are added to the parse.
     *
     * @return the options, or {@code null} when {@code parsed} has problems
     */
    public static GatewayOptions from(CommandLine.Parsed parsed) {
        int servicePort = parsed.port("service-port");
        int discoveryPort = parsed.port("discovery-port");
        int adminPort = parsed.port("admin-port");
        Duration handshakeTimeout = parsed.duration("handshake-timeout");
        Duration idleTimeout = parsed.duration("idle-timeout");
        Duration connectTimeout = parsed.duration("connect-timeout");
        int maxClientHello = parsed.integer("max-client-hello", 512, MAX_CLIENT_HELLO_LIMIT);
        ConnectionLimits connectionLimits = connectionLimits(parsed);
        Duration requestTimeout = parsed.duration("request-timeout");
        Duration drainTimeout = parsed.duration("drain-timeout");
        Optional<HostPort> discoveryUpstream = parsed.declares("discovery-upstream")
                ? parsed.optionalValue("discovery-upstream").map(value -> hostPort(parsed, "discovery-upstream", value))
                : Optional.empty();
        int plaintextPortBase = parsed.declares("plaintext-port-base") ? parsed.port("plaintext-port-base") : 0;
        List<String> problems = parsed.problems();
        if (!problems.isEmpty()) {
            return null;
        }
        return new GatewayOptions(
                Path.of(parsed.value("config-dir")),
                parsed.value("namespace"),
                parsed.value("name"),
                Path.of(parsed.value("cert-chain")),
                Path.of(parsed.value("key")),
                Path.of(parsed.value("root-cert")),
                parsed.value("bind"),
                servicePort,
                discoveryPort,
                adminPort,
                parsed.value("cluster-domain"),
                handshakeTimeout,
                idleTimeout,
                connectTimeout,
                maxClientHello,
                discoveryUpstream,
                plaintextPortBase,
                connectionLimits,
                requestTimeout,
                drainTimeout,
                parsed.value("access-log"),
                parsed.declares("proxy-protocol") && parsed.has("proxy-protocol"));
    }

    /** The discovery and admin listeners' request bounds: {@code --request-timeout} and {@code --idle-timeout}. */
    public HttpRequestTimeoutHandler.Timeouts httpTimeouts() {
        return new HttpRequestTimeoutHandler.Timeouts(requestTimeout.toMillis(), idleTimeout.toMillis());
    }

    private static ConnectionLimits connectionLimits(CommandLine.Parsed parsed) {
        int total = parsed.integer("max-connections", 2, 10_000_000);
        int admin = parsed.integer("max-admin-connections", 1, 100_000);
        int perPeer = parsed.integer("max-connections-per-peer", 0, 10_000_000);
        if (total < 0 || admin < 0 || perPeer < 0) {
            return null; // already a problem
        }
        Optional<String> discoveryValue = parsed.optionalValue("max-discovery-connections");
        int discovery = discoveryValue.isEmpty() ? ConnectionLimits.defaultDiscovery(total)
                : parsed.integer("max-discovery-connections", 1, 10_000_000);
        if (discovery < 0) {
            return null;
        }
        if (discovery >= total) {
            parsed.problem("--max-discovery-connections: " + discovery + " must be less than --max-connections "
                    + total + " (service traffic gets the rest)");
            return null;
        }
        return new ConnectionLimits(total, discovery, admin, perPeer);
    }

    private static HostPort hostPort(CommandLine.Parsed parsed, String name, String value) {
        int colon = value.lastIndexOf(':');
        try {
            String host = value.substring(0, colon);
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            return new HostPort(host, Integer.parseInt(value.substring(colon + 1)));
        } catch (RuntimeException e) {
            parsed.problem("--" + name + ": '" + value + "' is not HOST:PORT");
            return null;
        }
    }
}
