package io.fedgate.core.internal.config;

import java.util.Optional;
import java.util.function.Function;

/** The kinds fedgate reads, with their API version, scope and naming rule. */
public enum ResourceKind {
    /** {@code federation.maistra.io/v1 ServiceMeshPeer}, control-plane namespace only. */
    SERVICE_MESH_PEER("federation.maistra.io", "v1", "ServiceMeshPeer", true, Names::checkDns1123Subdomain),
    /** {@code federation.maistra.io/v1 ExportedServiceSet}, control-plane namespace only. */
    EXPORTED_SERVICE_SET("federation.maistra.io", "v1", "ExportedServiceSet", true, Names::checkDns1123Subdomain),
    /** {@code federation.maistra.io/v1 ImportedServiceSet}, control-plane namespace only. */
    IMPORTED_SERVICE_SET("federation.maistra.io", "v1", "ImportedServiceSet", true, Names::checkDns1123Subdomain),
    /** {@code v1 ConfigMap}, control-plane namespace only (peer roots). */
    CONFIG_MAP("", "v1", "ConfigMap", true, Names::checkDns1123Subdomain),
    /** {@code v1 Service}, any namespace (the local service catalogue). */
    SERVICE("", "v1", "Service", false, Names::checkDns1035Label),
    /** {@code discovery.k8s.io/v1 EndpointSlice}, any namespace. */
    ENDPOINT_SLICE("discovery.k8s.io", "v1", "EndpointSlice", false, Names::checkDns1123Subdomain);

    private final String group;
    private final String version;
    private final String kind;
    private final boolean controlPlaneOnly;
    private final Function<String, Optional<String>> nameCheck;

    ResourceKind(String group, String version, String kind, boolean controlPlaneOnly,
                 Function<String, Optional<String>> nameCheck) {
        this.group = group;
        this.version = version;
        this.kind = kind;
        this.controlPlaneOnly = controlPlaneOnly;
        this.nameCheck = nameCheck;
    }

    /** The kind as YAML writes it, e.g. {@code ServiceMeshPeer}. */
    public String kind() {
        return kind;
    }

    /** The API group, empty for the core group. */
    public String group() {
        return group;
    }

    /** {@code group/version}, or just the version for the core group. */
    public String apiVersion() {
        return group.isEmpty() ? version : group + "/" + version;
    }

    /** Whether only resources of the control-plane namespace are read (others are skipped silently). */
    public boolean controlPlaneOnly() {
        return controlPlaneOnly;
    }

    /** Why {@code name} is not a valid {@code metadata.name} for this kind, if it is not. */
    public Optional<String> checkName(String name) {
        return nameCheck.apply(name);
    }

    /** The kind named {@code kind} in API group {@code group}, if fedgate reads it. */
    public static Optional<ResourceKind> find(String group, String kind) {
        for (ResourceKind candidate : values()) {
            if (candidate.kind.equals(kind) && candidate.group.equals(group)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /** The API group of an {@code apiVersion} ({@code apps/v1} gives {@code apps}; {@code v1} the core group ""). */
    public static String groupOf(String apiVersion) {
        int slash = apiVersion.indexOf('/');
        return slash < 0 ? "" : apiVersion.substring(0, slash);
    }
}
