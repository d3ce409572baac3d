package io.fedgate.core.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import io.fedgate.core.config.ConfigProblem.Severity;

class ConfigSummaryTest {

    @Test
    void describesPeersWithDefaultsRootsRulesServicesAndEndpoints() {
        FederationConfig config = new ConfigLoader(ConfigOptions.of("red-mesh-system"))
                .load(Path.of("..", "docs", "examples", "red-mesh"));

        String summary = config.describe();

        assertThat(summary).contains(
                "namespace red-mesh-system, cluster domain cluster.local\n",
                "read 6 file(s) from ../docs/examples/red-mesh\n",
                "peers (1):\n  green-mesh\n",
                "    remote addresses: 127.0.2.1\n",
                "    discovery port:   8188\n",
                "    client ID:        green-mesh.local/ns/green-mesh-system/sa/egress-red-mesh-service-account\n",
                "    roots:            ConfigMap green-mesh-ca-root-cert, 1 certificate(s)\n",
                "      CN=green-mesh-root, expires 2126-",
                "      rule 1: NameSelector bookinfo/ratings\n",
                "      rule 2: LabelSelector bookinfo/{federation.example.com/export=green}\n",
                "      exported bookinfo/ratings as ratings.bookinfo.svc.green-mesh-exports.local\n",
                "      domain suffix:  svc.green-mesh-imports.local  (default)\n",
                "      locality:       us-west\n",
                "services (1):\n  bookinfo/ratings\n    port http 9080/TCP: 127.0.0.1:9080\n",
                "warnings (0):\n");
    }

    @Test
    void marksDefaultedValuesAndListsWarnings() {
        var files = ConfigFixtures.with(ConfigFixtures.validGreen(), "extra.yaml",
                "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: x\n");

        String summary = ConfigFixtures.load(files).describe();

        assertThat(summary).contains(
                "    service port:     15443  (default)\n",
                "    trust domain:     green-mesh.local  (default)\n",
                "    exports:          none (no ExportedServiceSet green-mesh)\n",
                "warnings (1):\n  extra.yaml doc 1 Deployment red-mesh-system/x: kind: Deployment (apps/v1) is not "
                        + "used by fedgate; ignored\n");
    }

    @Test
    void problemRendersOnlyTheLocationPartsItHas() {
        assertThat(ConfigProblem.atField(Severity.ERROR, "peers/green.yaml", 1,
                "ServiceMeshPeer red-mesh-system/green-mesh", "spec.remote.servicePort", "70000 is not a port (1-65535)"))
                .hasToString("peers/green.yaml doc 1 ServiceMeshPeer red-mesh-system/green-mesh: "
                        + "spec.remote.servicePort: 70000 is not a port (1-65535)");
        assertThat(ConfigProblem.atLine(Severity.ERROR, "a.yaml", 7, 3, "YAML syntax error: x"))
                .hasToString("a.yaml line 7, column 3: YAML syntax error: x");
        assertThat(ConfigProblem.atFile(Severity.ERROR, "a.yaml", "cannot read: permission denied"))
                .hasToString("a.yaml: cannot read: permission denied");
        assertThat(ConfigProblem.global(Severity.ERROR, "no peer")).hasToString("no peer");
    }
}
