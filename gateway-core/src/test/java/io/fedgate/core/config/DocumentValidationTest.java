package io.fedgate.core.config;

import static io.fedgate.core.config.ConfigFixtures.errors;
import static io.fedgate.core.config.ConfigFixtures.files;
import static io.fedgate.core.config.ConfigFixtures.greenRoots;
import static io.fedgate.core.config.ConfigFixtures.greenSpec;
import static io.fedgate.core.config.ConfigFixtures.peer;
import static io.fedgate.core.config.ConfigFixtures.validGreen;
import static io.fedgate.core.config.ConfigFixtures.with;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Problems of documents and files rather than fields: syntax, kinds, several problems at once. */
class DocumentValidationTest {

    @Test
    void yamlSyntaxErrorReportsFileAndLine() {
        String broken = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  a: b\n  c: d: e\n";

        assertThat(errors(with(validGreen(), "broken.yaml", broken))).containsExactly(
                "broken.yaml line 7, column 7: YAML syntax error: mapping values are not allowed here");
    }

    @Test
    void documentsBeforeASyntaxErrorAreStillValidated() {
        String yaml = peer("green-mesh", greenSpec().replace("15443", "x")
                .replace("  addresses:", "  servicePort: 0x1_0000_0\n  addresses:"))
                + "---\nkey: [unclosed\n";

        assertThat(errors(files("peers/green.yaml", yaml, "roots/green.yaml", greenRoots()))).containsExactly(
                "peers/green.yaml doc 1 ServiceMeshPeer red-mesh-system/green-mesh: spec.remote.servicePort: "
                        + "expected an integer, got a string ('0x1_0000_0')",
                "peers/green.yaml line 18, column 1: YAML syntax error: expected ',' or ']', but got <stream end> "
                        + "(while parsing a flow sequence at line 17)");
    }

    @Test
    void duplicateYamlKeysAreSyntaxErrors() {
        String yaml = peer("green-mesh", greenSpec() + "gateways: {}\n");

        assertThat(errors(files("peers/green.yaml", yaml, "roots/green.yaml", greenRoots()))).singleElement()
                .isEqualTo("peers/green.yaml line 15, column 3: YAML syntax error: found duplicate key gateways "
                        + "(while constructing a mapping at line 7)");
    }

    @Test
    void nestingDeeperThanTheBoundIsAProblemNotAStackOverflow() {
        String deep = "kind: Service\nspec: " + "[".repeat(5000) + "]".repeat(5000) + "\n";

        assertThat(errors(with(validGreen(), "deep.yaml", deep))).containsExactly(
                "deep.yaml line 2, column 106: YAML nested more than 100 levels deep");
    }

    @Test
    void aCollectionContainingItselfIsAProblem() {
        String recursive = "kind: ServiceMeshPeer\nspec: &s\n  remote: *s\n";

        assertThat(errors(with(validGreen(), "loop.yaml", recursive))).containsExactly(
                "loop.yaml: YAML error in document 1: a mapping or list contains itself through an alias");
    }

    @Test
    void aliasesSharedManyTimesAreCopiedOnce() {
        // 48 aliases, under snakeyaml-engine's limit of 50, but 3^16 paths: copied path by path, it never ends.
        StringBuilder bomb = new StringBuilder("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n"
                + "data: {}\nl0: &l0 [x, y, z]\n");
        for (int i = 1; i <= 16; i++) {
            bomb.append("l").append(i).append(": &l").append(i).append(" [*l").append(i - 1).append(", *l")
                    .append(i - 1).append(", *l").append(i - 1).append("]\n");
        }

        assertThat(ConfigFixtures.load(with(validGreen(), "bomb.yaml", bomb.toString())).peer("green-mesh"))
                .isPresent();
    }

    @Test
    void documentsThatAreNoResources() {
        String yaml = "- a\n- b\n---\nkind: ServiceMeshPeer\nmetadata:\n  name: x\n---\napiVersion: v1\nkind: 7\n"
                + "---\n# only a comment\n---\n";

        assertThat(errors(with(validGreen(), "junk.yaml", yaml))).containsExactly(
                "junk.yaml doc 1: expected a Kubernetes resource (a mapping with apiVersion and kind), got a list",
                "junk.yaml doc 2: apiVersion: is required",
                "junk.yaml doc 3: kind: expected a string, got an integer (7)");
    }

    @Test
    void otherKindsDrawOneWarningEach() {
        String deployment = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ratings-v1\n"
                + "  namespace: bookinfo\n";
        String knative = "apiVersion: serving.knative.dev/v1\nkind: Service\nmetadata:\n  name: hello\n";
        var files = with(validGreen(), "other.yaml", deployment + "---\n" + deployment.replace("v1\n  namespace",
                "v2\n  namespace") + "---\n" + knative);

        assertThat(ConfigFixtures.warnings(files)).containsExactly(
                "other.yaml doc 1 Deployment bookinfo/ratings-v1: kind: Deployment (apps/v1) is not used by fedgate; "
                        + "ignored (2 documents)",
                "other.yaml doc 3 Service red-mesh-system/hello: kind: Service (serving.knative.dev/v1) is not used by "
                        + "fedgate; ignored");
    }

    @Test
    void kubectlListsAreUnpacked() {
        String list = "apiVersion: v1\nkind: List\nitems:\n"
                + ConfigFixtures.indent("- " + peer("green-mesh", greenSpec()).replace("\n", "\n  "), "")
                + ConfigFixtures.indent("- " + greenRoots().replace("\n", "\n  "), "")
                + "metadata:\n  resourceVersion: \"\"\n";

        FederationConfig config = ConfigFixtures.load(files("all.yaml", list));

        assertThat(config.peer("green-mesh")).isPresent();
        assertThat(config.warnings()).isEmpty();
    }

    @Test
    void resourcesWithoutNamespaceBelongToTheControlPlane() {
        var files = files("peers/green.yaml", peer("green-mesh", greenSpec()).replace("  namespace: red-mesh-system\n", ""),
                "roots/green.yaml", greenRoots().replace("  namespace: red-mesh-system\n", ""));

        assertThat(ConfigFixtures.load(files).peer("green-mesh").orElseThrow().namespace()).isEqualTo("red-mesh-system");
    }

    @Test
    void everyProblemOfEveryFileIsReportedAtOnce(@TempDir Path dir) throws IOException {
        Files.createDirectories(dir.resolve("peers"));
        Files.writeString(dir.resolve("peers/green.yaml"), peer("green-mesh", greenSpec()
                .replace("  addresses:", "  servicePort: 70000\n  addresses:")
                .replace("name: egress-green-mesh", "name: Egress")));
        Files.writeString(dir.resolve("peers/blue.yaml"), peer("blue-mesh", greenSpec()
                .replace("ingress-green-mesh", "ingress-blue-mesh").replace("egress-green-mesh", "egress-blue-mesh")
                + "security:\n  trustDomain: blue.local\n  clientID: green.local/ns/x/sa/y\n"));
        Files.writeString(dir.resolve("roots.yaml"), greenRoots() + "---\nbad: [\n");

        assertThatThrownBy(() -> new ConfigLoader(ConfigFixtures.OPTIONS).load(dir))
                .isInstanceOf(ConfigException.class)
                .hasMessage(String.join("\n",
                        "peers/blue.yaml doc 1 ServiceMeshPeer red-mesh-system/blue-mesh: spec.security.clientID: "
                                + "'green.local/ns/x/sa/y' is outside the peer's trust domain 'blue.local'",
                        "peers/blue.yaml doc 1 ServiceMeshPeer red-mesh-system/blue-mesh: "
                                + "spec.security.certificateChain.name: ConfigMap red-mesh-system/blue-mesh-ca-root-cert "
                                + "(the default name) not found",
                        "peers/green.yaml doc 1 ServiceMeshPeer red-mesh-system/green-mesh: spec.remote.servicePort: "
                                + "70000 is not a port (1-65535)",
                        "peers/green.yaml doc 1 ServiceMeshPeer red-mesh-system/green-mesh: spec.gateways.egress.name: "
                                + "'Egress' is not a DNS-1123 label (lowercase letters, digits and '-', starting and "
                                + "ending with a letter or digit, at most 63 characters)",
                        "roots.yaml line 21, column 1: YAML syntax error: expected the node content, but found "
                                + "'<stream end>' (while parsing a flow node at line 21)"));
    }
}
