package io.fedgate.core.config;

import static java.util.Objects.requireNonNull;

import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeMap;

import io.fedgate.core.internal.config.Servability;

/**
 * Everything a gateway knows about federation, validated and immutable: the peers of its control-plane namespace
 * with their effective settings, each peer trust domain's root certificates, the export and import sets by peer,
 * and the local service catalogue (Services and EndpointSlices of every namespace). Built once by
 * {@link ConfigLoader} or {@link ConfigValidator}; the runtime only reads it.
 */
public final class FederationConfig {
    private final String namespace;
    private final String clusterDomain;
    private final String source;
    private final List<String> sourceFiles;
    private final Map<String, PeerConfig> peers;
    private final Map<String, List<X509Certificate>> rootBundles;
    private final Map<String, ExportedServiceSet> exportedServiceSets;
    private final Map<String, ImportedServiceSet> importedServiceSets;
    private final Map<NamespacedName, Service> services;
    private final List<EndpointSlice> endpointSlices;
    private final Map<NamespacedName, List<EndpointSlice>> slicesByService;
    private final List<ConfigProblem> warnings;

    private FederationConfig(Builder builder) {
        this.namespace = builder.namespace;
        this.clusterDomain = builder.clusterDomain;
        this.source = builder.source;
        this.sourceFiles = List.copyOf(builder.sourceFiles);
        // Copies keep insertion (= source) order: Map.copyOf would not.
        this.peers = unmodifiable(builder.peers);
        Map<String, List<X509Certificate>> roots = new LinkedHashMap<>();
        builder.rootBundles.forEach((trustDomain, bundle) -> roots.put(trustDomain, List.copyOf(bundle)));
        this.rootBundles = unmodifiable(roots);
        this.exportedServiceSets = unmodifiable(builder.exportedServiceSets);
        this.importedServiceSets = unmodifiable(builder.importedServiceSets);
        this.services = unmodifiable(new TreeMap<>(builder.services));
        this.endpointSlices = List.copyOf(builder.endpointSlices);
        Map<NamespacedName, List<EndpointSlice>> bySlice = new LinkedHashMap<>();
        for (EndpointSlice slice : endpointSlices) {
            if (!slice.serviceName().isEmpty()) {
                bySlice.computeIfAbsent(slice.service(), key -> new ArrayList<>()).add(slice);
            }
        }
        bySlice.replaceAll((key, slices) -> List.copyOf(slices));
        this.slicesByService = unmodifiable(bySlice);
        this.warnings = List.copyOf(builder.warnings);
    }

    private static <K, V> Map<K, V> unmodifiable(Map<K, V> map) {
        return java.util.Collections.unmodifiableMap(new LinkedHashMap<>(map));
    }

    /** Starts a configuration for control-plane namespace {@code namespace}. */
    public static Builder builder(String namespace) {
        return new Builder(namespace);
    }

    /** This mesh's control-plane namespace. */
    public String namespace() {
        return namespace;
    }

    /** The cluster domain local service names end in. */
    public String clusterDomain() {
        return clusterDomain;
    }

    /** Where the configuration came from, e.g. the config directory. */
    public String source() {
        return source;
    }

    /** The files read, relative to the config directory, in reading order. */
    public List<String> sourceFiles() {
        return sourceFiles;
    }

    /** The peers, in the order their resources were read. */
    public List<PeerConfig> peers() {
        return List.copyOf(peers.values());
    }

    /** The peer named {@code name}. */
    public Optional<PeerConfig> peer(String name) {
        return Optional.ofNullable(peers.get(requireNonNull(name, "name")));
    }

    /** The peers whose traffic ingress gateway {@code gatewayName} accepts. */
    public List<PeerConfig> peersForIngress(String gatewayName) {
        requireNonNull(gatewayName, "gatewayName");
        return peers.values().stream().filter(peer -> peer.gateways().ingress().equals(gatewayName)).toList();
    }

    /** The peers egress gateway {@code gatewayName} sends traffic to. */
    public List<PeerConfig> peersForEgress(String gatewayName) {
        requireNonNull(gatewayName, "gatewayName");
        return peers.values().stream().filter(peer -> peer.gateways().egress().equals(gatewayName)).toList();
    }

    /** Root certificates by peer trust domain. */
    public Map<String, List<X509Certificate>> rootBundles() {
        return rootBundles;
    }

    /** The roots that certificates of {@code trustDomain} must chain to; empty for a trust domain of no peer. */
    public Optional<List<X509Certificate>> rootBundleForTrustDomain(String trustDomain) {
        return Optional.ofNullable(rootBundles.get(requireNonNull(trustDomain, "trustDomain")));
    }

    /** The roots of peer {@code peerName}'s trust domain; empty for an unknown peer, which therefore trusts nothing. */
    public List<X509Certificate> rootBundle(String peerName) {
        return peer(peerName)
                .map(peer -> rootBundles.getOrDefault(peer.security().trustDomain(), List.of()))
                .orElse(List.of());
    }

    /** The export sets by peer name. A set may name a peer that does not exist (a warning when loading). */
    public Map<String, ExportedServiceSet> exportedServiceSets() {
        return exportedServiceSets;
    }

    /** The services exported to {@code peerName}'s mesh, if it has an {@code ExportedServiceSet}. */
    public Optional<ExportedServiceSet> exportedServiceSet(String peerName) {
        return Optional.ofNullable(exportedServiceSets.get(requireNonNull(peerName, "peerName")));
    }

    /** The import sets by peer name. */
    public Map<String, ImportedServiceSet> importedServiceSets() {
        return importedServiceSets;
    }

    /** How services of {@code peerName}'s mesh are imported, if it has an {@code ImportedServiceSet}. */
    public Optional<ImportedServiceSet> importedServiceSet(String peerName) {
        return Optional.ofNullable(importedServiceSets.get(requireNonNull(peerName, "peerName")));
    }

    /** Every local service exported to {@code peerName}, sorted by exported hostname; empty without an export set. */
    public List<ExportedService> exportedServices(String peerName) {
        return exportedServiceSet(peerName).map(set -> set.exportAll(services.values())).orElse(List.of());
    }

    /** The local services of every namespace, sorted by namespace and name. */
    public List<Service> services() {
        return List.copyOf(services.values());
    }

    /** The Service {@code namespace}/{@code name}. */
    public Optional<Service> service(String namespace, String name) {
        return Optional.ofNullable(services.get(new NamespacedName(namespace, name)));
    }

    /** Every EndpointSlice read, in reading order. */
    public List<EndpointSlice> endpointSlices() {
        return endpointSlices;
    }

    /** The EndpointSlices of {@code service}. */
    public List<EndpointSlice> endpointSlices(Service service) {
        return slicesByService.getOrDefault(requireNonNull(service, "service").key(), List.of());
    }

    /**
     * Where connections to TCP port {@code servicePort} of {@code service} go. With EndpointSlices: the addresses of
     * every ready endpoint, on the number the slices give for that port (which resolves a named {@code targetPort});
     * a slice that does not serve the port contributes nothing. Without any EndpointSlice: the Service's DNS name
     * {@code <name>.<namespace>.svc.<clusterDomain>} on the service port. Empty when the Service has no such port.
     */
    public List<HostPort> endpoints(Service service, int servicePort) {
        requireNonNull(service, "service");
        Optional<ServicePort> port = service.port(servicePort);
        if (port.isEmpty()) {
            return List.of();
        }
        List<EndpointSlice> slices = endpointSlices(service);
        if (slices.isEmpty()) {
            return List.of(new HostPort(service.hostname(clusterDomain), servicePort));
        }
        Set<HostPort> endpoints = new LinkedHashSet<>();
        for (EndpointSlice slice : slices) {
            OptionalInt number = slice.portFor(port.get());
            if (number.isEmpty()) {
                continue;
            }
            for (EndpointSlice.Endpoint endpoint : slice.endpoints()) {
                if (endpoint.ready()) {
                    endpoint.addresses().forEach(address -> endpoints.add(new HostPort(address, number.getAsInt())));
                }
            }
        }
        return List.copyOf(endpoints);
    }

    /** Warnings found while loading (unknown fields, ignored kinds, unused sets, ...). */
    public List<ConfigProblem> warnings() {
        return warnings;
    }

    /**
     * Fails unless there is something to serve: at least one source file and one peer. A gateway calls this before
     * it binds; {@link ConfigLoader} does it already unless {@link ConfigOptions#requirePeers()} is off.
     *
     * @return this
     * @throws ConfigException naming what is missing
     */
    public FederationConfig checkServable() {
        List<ConfigProblem> problems = Servability.problems(source, namespace, sourceFiles.size(), peers.size());
        if (!problems.isEmpty()) {
            throw new ConfigException(problems, warnings);
        }
        return this;
    }

    /** A human-readable multi-line description, as {@code fedgate validate} prints it. */
    public String describe() {
        return ConfigSummary.describe(this);
    }

    @Override
    public String toString() {
        return "FederationConfig{namespace=" + namespace + ", peers=" + peers.keySet()
                + ", services=" + services.size() + ", warnings=" + warnings.size() + '}';
    }

    /**
     * Assembles a {@link FederationConfig}. It checks only what keeps the object consistent (unique peers, a root
     * bundle for every peer's trust domain); validating resources is {@link ConfigValidator}'s job.
     */
    public static final class Builder {
        private final String namespace;
        private String clusterDomain = ConfigOptions.DEFAULT_CLUSTER_DOMAIN;
        private String source = "<memory>";
        private final List<String> sourceFiles = new ArrayList<>();
        private final Map<String, PeerConfig> peers = new LinkedHashMap<>();
        private final Map<String, List<X509Certificate>> rootBundles = new LinkedHashMap<>();
        private final Map<String, ExportedServiceSet> exportedServiceSets = new LinkedHashMap<>();
        private final Map<String, ImportedServiceSet> importedServiceSets = new LinkedHashMap<>();
        private final Map<NamespacedName, Service> services = new LinkedHashMap<>();
        private final List<EndpointSlice> endpointSlices = new ArrayList<>();
        private final List<ConfigProblem> warnings = new ArrayList<>();

        private Builder(String namespace) {
            this.namespace = requireNonNull(namespace, "namespace");
        }

        /** The cluster domain (default {@code cluster.local}). */
        public Builder clusterDomain(String clusterDomain) {
            this.clusterDomain = requireNonNull(clusterDomain, "clusterDomain");
            return this;
        }

        /** Where the configuration came from and which files were read. */
        public Builder source(String source, Collection<String> files) {
            this.source = requireNonNull(source, "source");
            this.sourceFiles.addAll(requireNonNull(files, "files"));
            return this;
        }

        /** Adds a peer with the roots of its trust domain (added once per trust domain). */
        public Builder addPeer(PeerConfig peer, List<X509Certificate> roots) {
            requireNonNull(peer, "peer");
            requireNonNull(roots, "roots");
            if (peers.putIfAbsent(peer.name(), peer) != null) {
                throw new IllegalArgumentException("duplicate peer " + peer.name());
            }
            List<X509Certificate> existing = rootBundles.putIfAbsent(peer.security().trustDomain(), List.copyOf(roots));
            if (existing != null && !existing.equals(roots)) {
                throw new IllegalArgumentException("trust domain " + peer.security().trustDomain()
                        + " already has different roots");
            }
            return this;
        }

        /** Adds the export set of peer {@code set.peerName()}. */
        public Builder addExportedServiceSet(ExportedServiceSet set) {
            if (exportedServiceSets.putIfAbsent(set.peerName(), set) != null) {
                throw new IllegalArgumentException("duplicate ExportedServiceSet " + set.peerName());
            }
            return this;
        }

        /** Adds the import set of peer {@code set.peerName()}. */
        public Builder addImportedServiceSet(ImportedServiceSet set) {
            if (importedServiceSets.putIfAbsent(set.peerName(), set) != null) {
                throw new IllegalArgumentException("duplicate ImportedServiceSet " + set.peerName());
            }
            return this;
        }

        /** Adds a local service. */
        public Builder addService(Service service) {
            if (services.putIfAbsent(service.key(), service) != null) {
                throw new IllegalArgumentException("duplicate Service " + service.key());
            }
            return this;
        }

        /** Adds an EndpointSlice. */
        public Builder addEndpointSlice(EndpointSlice slice) {
            endpointSlices.add(requireNonNull(slice, "slice"));
            return this;
        }

        /** Adds warnings to carry along. */
        public Builder addWarnings(Collection<ConfigProblem> warnings) {
            this.warnings.addAll(requireNonNull(warnings, "warnings"));
            return this;
        }

        /** Returns the configuration. */
        public FederationConfig build() {
            for (PeerConfig peer : peers.values()) {
                if (!rootBundles.containsKey(peer.security().trustDomain())) {
                    throw new IllegalStateException("no roots for trust domain " + peer.security().trustDomain());
                }
            }
            return new FederationConfig(this);
        }
    }
}
