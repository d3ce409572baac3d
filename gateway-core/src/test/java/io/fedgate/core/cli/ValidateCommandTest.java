package io.fedgate.core.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.fedgate.core.config.ConfigFixtures;

class ValidateCommandTest {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return ValidateCommand.run(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), args);
    }

    @Test
    void shippedExampleIsValidAndSummarised() {
        // Run from the module directory by Maven; the example lives at the repository root.
        Path example = Path.of("..", "docs", "examples", "red-mesh");

        int status = run("--config-dir", example.toString(), "--namespace", "red-mesh-system");

        assertThat(err.toString(StandardCharsets.UTF_8)).isEmpty();
        assertThat(status).isEqualTo(ValidateCommand.OK);
        assertThat(out.toString(StandardCharsets.UTF_8))
                .contains("green-mesh", "8188", "15443", "ratings")
                .endsWith("valid: " + example + " (namespace red-mesh-system)\n");
    }

    @Test
    void invalidConfigPrintsEveryProblemWithItsPathAndExitsOne(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("green.yaml"), ConfigFixtures.greenRoots() + "---\n"
                + ConfigFixtures.peer("green-mesh", "remote:\n  addresses: [\"127.0.0.1\"]\n  servicePort: 70000\n"
                        + "  discoveryPort: -1\ngateways:\n  ingress: {name: ingress-green-mesh}\n"
                        + "  egress: {name: egress-green-mesh}\n"));

        int status = run("--config-dir", dir.toString(), "--namespace", "red-mesh-system");

        assertThat(status).isEqualTo(ValidateCommand.INVALID);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .contains("error: green.yaml doc 2 ServiceMeshPeer red-mesh-system/green-mesh: "
                        + "spec.remote.servicePort: 70000 is not a port (1-65535)")
                .contains("spec.remote.discoveryPort: -1 is not a port")
                .contains("invalid: 2 problems in " + dir);
    }

    @Test
    void namespaceWithoutPeersIsSummarisedThenRefused(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("roots.yaml"), ConfigFixtures.greenRoots());

        int status = run("--config-dir", dir.toString(), "--namespace", "red-mesh-system");

        assertThat(status).isEqualTo(ValidateCommand.INVALID);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("no ServiceMeshPeer in namespace red-mesh-system");
    }

    @Test
    void badCommandLineExitsTwo() {
        assertThat(run("--namespace", "red-mesh-system")).isEqualTo(ValidateCommand.USAGE);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--config-dir DIR is required");
    }
}
