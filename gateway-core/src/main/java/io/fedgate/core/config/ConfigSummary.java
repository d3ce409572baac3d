package io.fedgate.core.config;

import static java.util.Objects.requireNonNull;

import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;

import javax.security.auth.x500.X500Principal;

/**
 * Describes a {@link FederationConfig} for people, as {@code fedgate validate} prints it: each peer with its
 * effective settings (marking the defaulted ones), its roots, its export and import rules and what they select, then
 * the local services with their ports and endpoints, then the warnings.
 */
public final class ConfigSummary {
    private static final String DEFAULT_MARK = "  (default)";

    private ConfigSummary() {
    }

    /** The multi-line description of {@code config}, ending with a newline. */
    public static String describe(FederationConfig config) {
        requireNonNull(config, "config");
        StringBuilder out = new StringBuilder();
        out.append("namespace ").append(config.namespace())
                .append(", cluster domain ").append(config.clusterDomain()).append('\n');
        out.append("read ").append(config.sourceFiles().size()).append(" file(s) from ").append(config.source())
                .append('\n');
        out.append('\n').append("peers (").append(config.peers().size()).append("):\n");
        for (PeerConfig peer : config.peers()) {
            describePeer(config, peer, out);
        }
        describeUnusedSets(config, out);
        List<Service> services = config.services();
        out.append('\n').append("services (").append(services.size()).append("):\n");
        for (Service service : services) {
            describeService(config, service, out);
        }
        List<ConfigProblem> warnings = config.warnings();
        out.append('\n').append("warnings (").append(warnings.size()).append("):\n");
        warnings.forEach(warning -> out.append("  ").append(warning).append('\n'));
        return out.toString();
    }

    private static void describePeer(FederationConfig config, PeerConfig peer, StringBuilder out) {
        out.append("  ").append(peer.name()).append('\n');
        line(out, "remote addresses", String.join(", ", peer.remote().addresses()), false);
        line(out, "discovery port", Integer.toString(peer.remote().discoveryPort()),
                peer.isDefaulted(PeerConfig.Setting.DISCOVERY_PORT));
        line(out, "service port", Integer.toString(peer.remote().servicePort()),
                peer.isDefaulted(PeerConfig.Setting.SERVICE_PORT));
        line(out, "ingress gateway", peer.gateways().ingress(), false);
        line(out, "egress gateway", peer.gateways().egress(), false);
        line(out, "trust domain", peer.security().trustDomain(), peer.isDefaulted(PeerConfig.Setting.TRUST_DOMAIN));
        line(out, "client ID", peer.security().clientId().principal(),
                peer.isDefaulted(PeerConfig.Setting.CLIENT_ID));
        List<X509Certificate> roots = config.rootBundle(peer.name());
        line(out, "roots", "ConfigMap " + peer.security().rootConfigMap() + ", " + roots.size() + " certificate(s)",
                peer.isDefaulted(PeerConfig.Setting.ROOT_CONFIG_MAP));
        for (X509Certificate root : roots) {
            out.append("      ").append(root.getSubjectX500Principal().getName(X500Principal.RFC2253))
                    .append(", expires ").append(root.getNotAfter().toInstant()).append('\n');
        }
        describeExports(config, peer, out);
        describeImports(config, peer, out);
    }

    private static void describeExports(FederationConfig config, PeerConfig peer, StringBuilder out) {
        Optional<ExportedServiceSet> exports = config.exportedServiceSet(peer.name());
        if (exports.isEmpty()) {
            line(out, "exports", "none (no ExportedServiceSet " + peer.name() + ")", false);
            return;
        }
        line(out, "exports", exports.get().rules().size() + " rule(s)", false);
        List<ExportRule> rules = exports.get().rules();
        for (int i = 0; i < rules.size(); i++) {
            out.append("      rule ").append(i + 1).append(": ").append(rules.get(i)).append('\n');
        }
        for (ExportedService exported : config.exportedServices(peer.name())) {
            out.append("      exported ").append(exported.localService()).append(" as ")
                    .append(exported.hostname()).append('\n');
        }
    }

    private static void describeImports(FederationConfig config, PeerConfig peer, StringBuilder out) {
        Optional<ImportedServiceSet> imports = config.importedServiceSet(peer.name());
        if (imports.isEmpty()) {
            line(out, "imports", "none (no ImportedServiceSet " + peer.name() + ")", false);
            return;
        }
        ImportedServiceSet set = imports.get();
        line(out, "imports", set.rules().size() + " rule(s)", false);
        line(out, "  domain suffix", set.domainSuffix(), set.domainSuffixDefaulted());
        set.locality().ifPresent(locality -> line(out, "  locality", locality.toString(), false));
        for (int i = 0; i < set.rules().size(); i++) {
            out.append("      rule ").append(i + 1).append(": ").append(set.rules().get(i)).append('\n');
        }
    }

    private static void describeUnusedSets(FederationConfig config, StringBuilder out) {
        config.exportedServiceSets().keySet().stream().filter(name -> config.peer(name).isEmpty())
                .forEach(name -> out.append("  (ExportedServiceSet ").append(name).append(" names no peer)\n"));
        config.importedServiceSets().keySet().stream().filter(name -> config.peer(name).isEmpty())
                .forEach(name -> out.append("  (ImportedServiceSet ").append(name).append(" names no peer)\n"));
    }

    private static void describeService(FederationConfig config, Service service, StringBuilder out) {
        out.append("  ").append(service.key()).append('\n');
        for (ServicePort port : service.ports()) {
            out.append("    port ").append(port);
            if (port.protocol().equals(ServicePort.DEFAULT_PROTOCOL)) {
                List<HostPort> endpoints = config.endpoints(service, port.port());
                out.append(": ").append(endpoints.isEmpty() ? "no ready endpoints" : join(endpoints));
            }
            out.append('\n');
        }
    }

    private static String join(List<HostPort> endpoints) {
        StringBuilder joined = new StringBuilder();
        for (HostPort endpoint : endpoints) {
            if (joined.length() > 0) {
                joined.append(", ");
            }
            joined.append(endpoint);
        }
        return joined.toString();
    }

    private static void line(StringBuilder out, String label, String value, boolean defaulted) {
        out.append("    ").append(String.format("%-18s", label + ":")).append(value)
                .append(defaulted ? DEFAULT_MARK : "").append('\n');
    }
}
