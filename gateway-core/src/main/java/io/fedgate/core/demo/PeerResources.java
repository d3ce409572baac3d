package io.fedgate.core.demo;

import static io.fedgate.core.demo.KubernetesYaml.indent;
import static io.fedgate.core.demo.KubernetesYaml.metadata;
import static io.fedgate.core.demo.KubernetesYaml.quote;
import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One mesh's side of its federation with one peer, as the resources a user keeps in the mesh's control-plane
 * namespace: the {@code ServiceMeshPeer} named after the peer (gateways {@code ingress-<peer>}/{@code egress-<peer>},
 * client ID the peer's egress for this mesh, roots in ConfigMap {@code <peer>-ca-root-cert}), that ConfigMap, and the
 * {@code ExportedServiceSet}/{@code ImportedServiceSet} of the same name when there are rules. A mutable
 * description: change it, then take its {@link #files()}.
 *
 * <p>The security fields default to what is right; {@link #clientId}, {@link #trustDomain} and {@link #peerRoots}
 * write something else, to show (and test) how a misconfigured peer is reported.
 */
public final class PeerResources {
    private final Mesh local;
    private final Mesh peer;
    private final List<String> peerAddresses = new ArrayList<>(List.of("127.0.0.1"));
    private Integer servicePort;
    private Integer discoveryPort;
    private boolean writePeerRoots = true;
    private String peerRootsPem;
    private String clientId;
    private String trustDomain;
    private String ingressName;
    private String egressName;
    private final List<String[]> exports = new ArrayList<>();
    private final List<String[]> imports = new ArrayList<>();

    public PeerResources(Mesh local, Mesh peer) {
        this.local = requireNonNull(local, "local");
        this.peer = requireNonNull(peer, "peer");
        this.peerRootsPem = peer.ca().rootCertificatePem();
    }

    public Mesh local() {
        return local;
    }

    public Mesh peer() {
        return peer;
    }

    /**
     * The local gateways serving this peer ({@code spec.gateways}); default the convention's
     * {@code ingress-<peer>} and {@code egress-<peer>}. One gateway may serve several peers.
     */
    public PeerResources gatewayNames(String ingress, String egress) {
        this.ingressName = requireNonNull(ingress, "ingress");
        this.egressName = requireNonNull(egress, "egress");
        return this;
    }

    /** The addresses of the peer's ingress gateway ({@code spec.remote.addresses}); default 127.0.0.1. */
    public PeerResources peerAddresses(String... addresses) {
        if (addresses.length == 0) {
            throw new IllegalArgumentException("peerAddresses: none (expected: at least one)");
        }
        peerAddresses.clear();
        peerAddresses.addAll(List.of(addresses));
        return this;
    }

    /** The peer ingress's service port ({@code spec.remote.servicePort}); default: not written (15443). */
    public PeerResources peerServicePort(int port) {
        this.servicePort = checkPort(port, "peerServicePort");
        return this;
    }

    /** The peer ingress's discovery port ({@code spec.remote.discoveryPort}); default: not written (8188). */
    public PeerResources peerDiscoveryPort(int port) {
        this.discoveryPort = checkPort(port, "peerDiscoveryPort");
        return this;
    }

    /** Leave out the peer's root ConfigMap (the ServiceMeshPeer still names it). */
    public PeerResources withoutPeerRoots() {
        this.writePeerRoots = false;
        return this;
    }

    /** The PEM the root ConfigMap holds; default the peer's own root. */
    public PeerResources peerRoots(String pem) {
        this.peerRootsPem = requireNonNull(pem, "pem");
        return this;
    }

    /** {@code spec.security.clientID}; default the peer's egress for this mesh. */
    public PeerResources clientId(String clientId) {
        this.clientId = requireNonNull(clientId, "clientId");
        return this;
    }

    /** {@code spec.security.trustDomain}; default the peer's, {@code <peer>.local}. */
    public PeerResources trustDomain(String trustDomain) {
        this.trustDomain = requireNonNull(trustDomain, "trustDomain");
        return this;
    }

    /** Exports {@code namespace/name} to the peer (a NameSelector rule of the ExportedServiceSet). */
    public PeerResources export(String namespace, String name) {
        exports.add(new String[] {requireNonNull(namespace, "namespace"), requireNonNull(name, "name")});
        return this;
    }

    /** Stops exporting {@code namespace/name}. */
    public PeerResources unexport(String namespace, String name) {
        exports.removeIf(rule -> rule[0].equals(namespace) && rule[1].equals(name));
        return this;
    }

    /** Imports what the peer exports as {@code namespace/name} ({@code "*"} for all; not as local). */
    public PeerResources importFromPeer(String namespace, String name) {
        imports.add(new String[] {requireNonNull(namespace, "namespace"), requireNonNull(name, "name")});
        return this;
    }

    /** The files, by name: {@code servicemeshpeer-<peer>.yaml}, {@code configmap-<peer>-ca-root-cert.yaml}, ... */
    public Map<String, String> files() {
        Map<String, String> files = new LinkedHashMap<>();
        files.put("servicemeshpeer-" + peer.name() + ".yaml", serviceMeshPeer());
        if (writePeerRoots) {
            files.put("configmap-" + rootConfigMapName() + ".yaml", rootConfigMap());
        }
        if (!exports.isEmpty()) {
            files.put("exportedserviceset-" + peer.name() + ".yaml", serviceSet("ExportedServiceSet", "exportRules",
                    exports, ""));
        }
        if (!imports.isEmpty()) {
            files.put("importedserviceset-" + peer.name() + ".yaml", serviceSet("ImportedServiceSet", "importRules",
                    imports, "    importAsLocal: false\n"));
        }
        return files;
    }

    private String rootConfigMapName() {
        return peer.name() + "-ca-root-cert";
    }

    private String serviceMeshPeer() {
        StringBuilder yaml = new StringBuilder()
                .append("apiVersion: federation.maistra.io/v1\n")
                .append("kind: ServiceMeshPeer\n")
                .append(metadata(peer.name(), local.namespace()))
                .append("spec:\n")
                .append("  remote:\n")
                .append("    addresses:\n");
        for (String address : peerAddresses) {
            yaml.append("    - ").append(quote(address)).append('\n');
        }
        if (servicePort != null) {
            yaml.append("    servicePort: ").append(servicePort).append('\n');
        }
        if (discoveryPort != null) {
            yaml.append("    discoveryPort: ").append(discoveryPort).append('\n');
        }
        return yaml.append("  gateways:\n")
                .append("    ingress:\n")
                .append("      name: ").append(ingressName != null ? ingressName : local.ingressName(peer)).append('\n')
                .append("    egress:\n")
                .append("      name: ").append(egressName != null ? egressName : local.egressName(peer)).append('\n')
                .append("  security:\n")
                .append("    trustDomain: ").append(trustDomain != null ? trustDomain : peer.trustDomain()).append('\n')
                .append("    clientID: ").append(clientId != null ? clientId : peer.egressId(local).principal())
                .append('\n')
                .append("    certificateChain:\n")
                .append("      kind: ConfigMap\n")
                .append("      name: ").append(rootConfigMapName()).append('\n')
                .toString();
    }

    private String rootConfigMap() {
        return "apiVersion: v1\n"
                + "kind: ConfigMap\n"
                + metadata(rootConfigMapName(), local.namespace())
                + "data:\n"
                + "  root-cert.pem: |\n"
                + indent(peerRootsPem, "    ");
    }

    private String serviceSet(String kind, String rulesField, List<String[]> rules, String ruleOptions) {
        StringBuilder yaml = new StringBuilder()
                .append("apiVersion: federation.maistra.io/v1\n")
                .append("kind: ").append(kind).append('\n')
                .append(metadata(peer.name(), local.namespace()))
                .append("spec:\n")
                .append("  ").append(rulesField).append(":\n");
        for (String[] rule : rules) {
            yaml.append("  - type: NameSelector\n")
                    .append(ruleOptions)
                    .append("    nameSelector:\n")
                    .append("      namespace: ").append(quote(rule[0])).append('\n')
                    .append("      name: ").append(quote(rule[1])).append('\n');
        }
        return yaml.toString();
    }

    private static Integer checkPort(int port, String name) {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException(name + ": " + port + " (expected: 1-65535)");
        }
        return port;
    }
}
