package io.fedgate.core.internal.config;

import static java.util.Objects.requireNonNull;

import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import io.fedgate.core.config.ConfigException;
import io.fedgate.core.config.ConfigOptions;
import io.fedgate.core.config.ConfigProblem;
import io.fedgate.core.config.ConfigProblem.Severity;
import io.fedgate.core.config.ConfigSource;
import io.fedgate.core.config.EndpointSlice;
import io.fedgate.core.config.ExportedServiceSet;
import io.fedgate.core.config.FederationConfig;
import io.fedgate.core.config.ImportedServiceSet;
import io.fedgate.core.config.NamespacedName;
import io.fedgate.core.config.Service;
import io.fedgate.core.config.SourceDocument;

/**
 * One validation of a {@link ConfigSource}: sorts documents into resources, reads each with its kind's reader, runs
 * the cross-resource checks, and either builds the {@link FederationConfig} or throws every error at once. Used once,
 * then dropped.
 */
public final class ValidationRun {
    private final ConfigOptions options;
    private final ConfigSource source;
    private final ProblemSink sink;

    private final Map<String, Resource> seen = new HashMap<>();
    private final Map<String, UnknownKind> unknownKinds = new LinkedHashMap<>();
    private final List<PeerDraft> peers = new ArrayList<>();
    private final Map<String, CrossChecks.ConfigMapData> configMaps = new HashMap<>();
    private final List<Resource> sets = new ArrayList<>();
    private final List<ExportedServiceSet> exportedSets = new ArrayList<>();
    private final List<ImportedServiceSet> importedSets = new ArrayList<>();
    private final List<Service> services = new ArrayList<>();
    private final Set<NamespacedName> serviceNames = new HashSet<>();
    private final Map<Resource, Metadata> sliceResources = new LinkedHashMap<>();
    private final List<EndpointSlice> slices = new ArrayList<>();

    /** An ignored kind: where it was first seen, and how often. */
    private static final class UnknownKind {
        final ResourceContext first;
        int count = 1;

        UnknownKind(ResourceContext first) {
            this.first = first;
        }
    }

    public ValidationRun(ConfigOptions options, ConfigSource source) {
        this.options = requireNonNull(options, "options");
        this.source = requireNonNull(source, "source");
        this.sink = new ProblemSink(source.files());
        sink.addAll(source.problems());
    }

    /**
     * Validates and builds.
     *
     * @throws ConfigException with every error found, in file and document order
     */
    public FederationConfig run() {
        for (SourceDocument document : source.documents()) {
            classify(document.file(), document.index(), document.content(), "");
        }
        checkAcrossResources();
        Map<String, List<X509Certificate>> roots = CrossChecks.peerRoots(peers, configMaps,
                options.clock().instant());
        // With a file unreadable or cut short by a syntax error, "no peer" would be a guess: the peer may be there.
        if (options.requirePeers() && source.problems().isEmpty()) {
            sink.addAll(Servability.problems(source.description(), options.namespace(), source.files().size(),
                    peers.size()));
        }
        unknownKinds.forEach((key, unknown) -> unknown.first.warn("kind", key + " is not used by fedgate; ignored"
                + (unknown.count > 1 ? " (" + unknown.count + " documents)" : "")));
        if (sink.hasErrors()) {
            throw new ConfigException(sink.errors(), sink.warnings());
        }
        return build(roots);
    }

    private void checkAcrossResources() {
        CrossChecks.gateways(peers);
        CrossChecks.trustDomains(peers);
        Set<String> peerNames = new HashSet<>();
        peers.forEach(peer -> peerNames.add(peer.name()));
        CrossChecks.setsNamePeers(sets, peerNames);
        CrossChecks.slicesHaveServices(sliceResources, serviceNames);
    }

    private FederationConfig build(Map<String, List<X509Certificate>> roots) {
        FederationConfig.Builder builder = FederationConfig.builder(options.namespace())
                .clusterDomain(options.clusterDomain())
                .source(source.description(), source.files());
        for (PeerDraft peer : peers) {
            // Without errors every draft has its config and roots.
            builder.addPeer(peer.config().orElseThrow(), roots.get(peer.name()));
        }
        exportedSets.forEach(builder::addExportedServiceSet);
        importedSets.forEach(builder::addImportedServiceSet);
        services.forEach(builder::addService);
        slices.forEach(builder::addEndpointSlice);
        return builder.addWarnings(sink.warnings()).build();
    }

    private void classify(String file, int document, Object content, String prefix) {
        if (content == null) {
            return;
        }
        if (!(content instanceof Map)) {
            String field = prefix.isEmpty() ? "" : prefix.substring(0, prefix.length() - 1);
            sink.add(ConfigProblem.atField(Severity.ERROR, file, document, "", field, "expected a Kubernetes resource (a mapping with apiVersion and kind), got "
                            + Node.describe(content)));
            return;
        }
        Map<?, ?> map = (Map<?, ?>) content;
        ResourceContext anonymous = new ResourceContext(sink, file, document, "", "", "");
        Optional<String> kind = headerField(anonymous, map, prefix, "kind");
        Optional<String> apiVersion = headerField(anonymous, map, prefix, "apiVersion");
        if (kind.isEmpty() || apiVersion.isEmpty()) {
            return;
        }
        if (kind.get().equals("List") && apiVersion.get().equals("v1")) {
            // kubectl get -o yaml prints several resources as one v1 List.
            Node items = Node.root(anonymous, map).field("items");
            List<Node> list = items.items();
            Object raw = map.get("items");
            for (int i = 0; i < list.size(); i++) {
                classify(file, document, ((List<?>) raw).get(i), prefix + "items[" + i + "].");
            }
            return;
        }
        String name = metadataString(map, "name").orElse("");
        String namespace = metadataString(map, "namespace").filter(ns -> !ns.isEmpty()).orElse(options.namespace());
        ResourceContext context = new ResourceContext(sink, file, document, kind.get(), namespace, name);
        Optional<ResourceKind> resourceKind = ResourceKind.find(ResourceKind.groupOf(apiVersion.get()), kind.get());
        if (resourceKind.isEmpty()) {
            String key = kind.get() + " (" + apiVersion.get() + ")";
            UnknownKind known = unknownKinds.putIfAbsent(key, new UnknownKind(context));
            if (known != null) {
                known.count++;
            }
            return;
        }
        if (!apiVersion.get().equals(resourceKind.get().apiVersion())) {
            context.error("apiVersion", Names.quote(apiVersion.get()) + " is not supported for " + kind.get()
                    + " (expected " + resourceKind.get().apiVersion() + ")");
            return;
        }
        if (resourceKind.get().controlPlaneOnly() && !namespace.equals(options.namespace())) {
            return;
        }
        read(new Resource(resourceKind.get(), context, Node.root(context, map)));
    }

    private Optional<String> headerField(ResourceContext anonymous, Map<?, ?> map, String prefix, String field) {
        Object value = map.get(field);
        if (value instanceof String && !((String) value).isEmpty()) {
            return Optional.of((String) value);
        }
        anonymous.error(prefix + field, value == null ? "is required"
                : value instanceof String ? "must not be empty" : "expected a string, got " + Node.describe(value));
        return Optional.empty();
    }

    private static Optional<String> metadataString(Map<?, ?> resource, String field) {
        Object metadata = resource.get("metadata");
        if (metadata instanceof Map) {
            Object value = ((Map<?, ?>) metadata).get(field);
            if (value instanceof String) {
                return Optional.of((String) value);
            }
        }
        return Optional.empty();
    }

    private void read(Resource resource) {
        Metadata metadata = Metadata.read(resource);
        boolean duplicate = false;
        if (!resource.name().isEmpty()) {
            String key = resource.kind() + " " + resource.namespace() + "/" + resource.name();
            Resource first = seen.putIfAbsent(key, resource);
            if (first != null) {
                duplicate = true;
                resource.context().error("metadata.name", "duplicate " + resource.context().resource()
                        + ", first defined in " + first.context().location());
            }
        }
        // A duplicate is still read, so that its own problems are reported, but it joins nothing.
        switch (resource.kind()) {
            case SERVICE_MESH_PEER:
                PeerDraft peer = ServiceMeshPeerReader.read(resource, options);
                if (!duplicate) {
                    peers.add(peer);
                }
                break;
            case CONFIG_MAP:
                Map<String, String> data = ConfigMapReader.read(resource);
                if (!duplicate) {
                    configMaps.put(resource.name(), new CrossChecks.ConfigMapData(resource, data));
                }
                break;
            case EXPORTED_SERVICE_SET:
                Optional<ExportedServiceSet> exported = ExportedServiceSetReader.read(resource);
                if (!duplicate) {
                    sets.add(resource);
                    exported.ifPresent(exportedSets::add);
                }
                break;
            case IMPORTED_SERVICE_SET:
                Optional<ImportedServiceSet> imported = ImportedServiceSetReader.read(resource,
                        options.clusterDomain());
                if (!duplicate) {
                    sets.add(resource);
                    imported.ifPresent(importedSets::add);
                }
                break;
            case SERVICE:
                Optional<Service> service = ServiceReader.read(resource, metadata);
                if (!duplicate) {
                    // Known even when invalid, so that its EndpointSlices are not reported as orphans too.
                    serviceNames.add(new NamespacedName(resource.namespace(), resource.name()));
                    service.ifPresent(services::add);
                }
                break;
            case ENDPOINT_SLICE:
                Optional<EndpointSlice> slice = EndpointSliceReader.read(resource, metadata);
                if (!duplicate) {
                    sliceResources.put(resource, metadata);
                    slice.ifPresent(slices::add);
                }
                break;
            default:
                throw new AssertionError(resource.kind());
        }
    }
}
