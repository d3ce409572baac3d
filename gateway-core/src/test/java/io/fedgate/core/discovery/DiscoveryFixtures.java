package io.fedgate.core.discovery;

import java.util.List;
import java.util.Map;

import io.fedgate.core.config.ConfigFixtures;
import io.fedgate.core.config.FederationConfig;

/**
 * The services of the protocol page's verified checksum vectors (federation-protocol.md section 4), and in-memory
 * configurations of the red mesh exporting to the green peer.
 */
final class DiscoveryFixtures {
    static final String INGRESS_ACCOUNT = "spiffe://mesh1.local/ns/mesh1-system/sa/mesh2-ingress-service-account";
    static final String OTHER_ACCOUNT = "spiffe://mesh1.local/ns/mesh1-system/sa/other";

    static final ServiceMessage RATINGS = new ServiceMessage("ratings", "bookinfo",
            "ratings.bookinfo.svc.mesh2-exports.local", List.of(new ServicePortMessage("http", 9080, "HTTP")),
            List.of(INGRESS_ACCOUNT));
    static final ServiceMessage DETAILS = new ServiceMessage("details", "bookinfo",
            "details.bookinfo.svc.mesh2-exports.local",
            List.of(new ServicePortMessage("http", 9080, "HTTP"), new ServicePortMessage("tcp-extra", 9443, "TCP")),
            List.of(INGRESS_ACCOUNT, OTHER_ACCOUNT));

    static final long EMPTY_CHECKSUM = Long.parseUnsignedLong("3035108133973235477");
    static final long RATINGS_CHECKSUM = Long.parseUnsignedLong("11766432003838626797");
    static final long BOTH_CHECKSUM = Long.parseUnsignedLong("14564975621233500190");

    /** The green peer's exporting ingress gateway identity in the red mesh. */
    static final String RED_INGRESS = "spiffe://red-mesh.local/ns/red-mesh-system/sa/ingress-green-mesh-service-account";

    private DiscoveryFixtures() {
    }

    /** A Service {@code namespace/name} with {@code labels} (YAML flow map, e.g. {@code {app: x}}) and ports YAML. */
    static String service(String namespace, String name, String labels, String ports) {
        return "apiVersion: v1\nkind: Service\nmetadata:\n  name: " + name + "\n  namespace: " + namespace
                + "\n  labels: " + labels + "\nspec:\n  ports:\n" + ConfigFixtures.indent(ports, "  ");
    }

    /** The bookinfo services: ratings (http 9080), details (http 9080, tcp-extra 9443), reviews (unnamed 8080). */
    static String bookinfo() {
        return service("bookinfo", "ratings", "{app: ratings, export: \"true\"}", "- name: http\n  port: 9080\n")
                + "---\n" + service("bookinfo", "details", "{app: details, export: \"true\"}",
                "- name: http\n  port: 9080\n- name: tcp-extra\n  port: 9443\n")
                + "---\n" + service("bookinfo", "reviews", "{app: reviews}", "- port: 8080\n");
    }

    /** The ExportedServiceSet of peer {@code peer} with {@code rules} (YAML, indented as under exportRules:). */
    static String exports(String peer, String rules) {
        return "apiVersion: federation.maistra.io/v1\nkind: ExportedServiceSet\nmetadata:\n  name: " + peer
                + "\n  namespace: " + ConfigFixtures.NAMESPACE + "\nspec:\n  exportRules:\n"
                + ConfigFixtures.indent(rules, "  ");
    }

    /** The valid green peer, the bookinfo services and green's export set with {@code rules}. */
    static FederationConfig greenExporting(String rules) {
        return ConfigFixtures.load(files(rules));
    }

    /** The files of {@link #greenExporting}. */
    static Map<String, String> files(String rules) {
        Map<String, String> files = ConfigFixtures.with(ConfigFixtures.validGreen(), "services/bookinfo.yaml",
                bookinfo());
        return rules == null ? files : ConfigFixtures.with(files, "exports/green.yaml", exports("green-mesh", rules));
    }
}
