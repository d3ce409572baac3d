package io.fedgate.core.cli;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.util.List;

import io.fedgate.core.config.ConfigOptions;
import io.fedgate.core.config.PeerConfig;
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
        String clusterDomain) {

    /** Envoy binds every address by default; so do we. */
    public static final String DEFAULT_BIND = "0.0.0.0";
    /** The listener ports are the ones a peer's {@code spec.remote} defaults to. */
    public static final int DEFAULT_SERVICE_PORT = PeerConfig.DEFAULT_SERVICE_PORT;
    public static final int DEFAULT_DISCOVERY_PORT = PeerConfig.DEFAULT_DISCOVERY_PORT;
    /** Envoy's admin port. */
    public static final int DEFAULT_ADMIN_PORT = 15000;

    public GatewayOptions {
        requireNonNull(configDir, "configDir");
        requireNonNull(namespace, "namespace");
        requireNonNull(name, "name");
        requireNonNull(certChain, "certChain");
        requireNonNull(key, "key");
        requireNonNull(rootCert, "rootCert");
        requireNonNull(bind, "bind");
        requireNonNull(clusterDomain, "clusterDomain");
    }

    /**
     * The command line of a gateway process.
     *
     * @param role {@code ingress} or {@code egress}
     */
    public static CommandLine commandLine(String role, String summary) {
        return new CommandLine("fedgate " + role, summary)
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
                .option("cluster-domain", "DOMAIN", ConfigOptions.DEFAULT_CLUSTER_DOMAIN, "resolves services without EndpointSlices as <name>.<ns>.svc.DOMAIN");
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
                parsed.value("cluster-domain"));
    }
}
