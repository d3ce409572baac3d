package io.fedgate.core.config;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Test fixtures for configuration: test certificates, YAML snippets in {@code kubectl get -o yaml} shape, and
 * helpers that load in-memory files and return the problem lines. Shipped in the test-jar for the other modules.
 */
public final class ConfigFixtures {
    /** The control-plane namespace of the fixtures: the red mesh. */
    public static final String NAMESPACE = "red-mesh-system";
    /** A fixed clock inside every test certificate's validity. */
    public static final Clock CLOCK = Clock.fixed(Instant.parse("2030-01-01T00:00:00Z"), ZoneOffset.UTC);
    /** Options for the red mesh with the fixed clock. */
    public static final ConfigOptions OPTIONS = ConfigOptions.builder(NAMESPACE).clock(CLOCK).build();

    private ConfigFixtures() {
    }

    /** A test PEM from {@code config/certs/<name>.pem}: green-root, green-root-next, blue-root, not-a-ca. */
    public static String pem(String name) {
        try (InputStream in = ConfigFixtures.class.getResourceAsStream("/config/certs/" + name + ".pem")) {
            if (in == null) {
                throw new IllegalArgumentException("no test certificate " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The directory of a test resource, e.g. {@code config/seed}. */
    public static Path resourceDir(String name) {
        try {
            return Path.of(ConfigFixtures.class.getResource("/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A ConfigMap holding {@code pem} under {@code root-cert.pem}. */
    public static String rootConfigMap(String name, String pem) {
        return "apiVersion: v1\n"
                + "kind: ConfigMap\n"
                + "metadata:\n"
                + "  name: " + name + "\n"
                + "  namespace: " + NAMESPACE + "\n"
                + "data:\n"
                + "  root-cert.pem: |\n"
                + indent(pem, "    ");
    }

    /** The green root ConfigMap under its default name. */
    public static String greenRoots() {
        return rootConfigMap("green-mesh-ca-root-cert", pem("green-root"));
    }

    /** A ServiceMeshPeer named {@code name} whose spec is {@code spec} (YAML, indented as under {@code spec:}). */
    public static String peer(String name, String spec) {
        return "apiVersion: federation.maistra.io/v1\n"
                + "kind: ServiceMeshPeer\n"
                + "metadata:\n"
                + "  name: " + name + "\n"
                + "  namespace: " + NAMESPACE + "\n"
                + "spec:\n"
                + indent(spec, "  ");
    }

    /** The spec of a valid green peer with only the required fields, for tests to vary. */
    public static String greenSpec() {
        return "remote:\n"
                + "  addresses:\n"
                + "  - ingress-red-mesh.green-mesh-system.apps.domain.com\n"
                + "gateways:\n"
                + "  ingress:\n"
                + "    name: ingress-green-mesh\n"
                + "  egress:\n"
                + "    name: egress-green-mesh\n";
    }

    /** A valid green peer and its roots, as {@code peers/green.yaml} and {@code roots/green.yaml}. */
    public static Map<String, String> validGreen() {
        return files("peers/green.yaml", peer("green-mesh", greenSpec()), "roots/green.yaml", greenRoots());
    }

    /** An ordered file map from name/content pairs. */
    public static Map<String, String> files(String... nameContentPairs) {
        Map<String, String> files = new LinkedHashMap<>();
        for (int i = 0; i < nameContentPairs.length; i += 2) {
            files.put(nameContentPairs[i], nameContentPairs[i + 1]);
        }
        return files;
    }

    /** {@code files} with {@code name} added or replaced. */
    public static Map<String, String> with(Map<String, String> files, String name, String content) {
        Map<String, String> copy = new LinkedHashMap<>(files);
        copy.put(name, content);
        return copy;
    }

    /** Loads in-memory files with {@link #OPTIONS}. */
    public static FederationConfig load(Map<String, String> files) {
        return load(files, OPTIONS);
    }

    /** Loads in-memory files. */
    public static FederationConfig load(Map<String, String> files, ConfigOptions options) {
        return new ConfigLoader(options).loadYaml(files);
    }

    /** The error lines loading {@code files} fails with; fails the test if loading succeeds. */
    public static List<String> errors(Map<String, String> files) {
        return errors(files, OPTIONS);
    }

    /** The error lines loading {@code files} with {@code options} fails with. */
    public static List<String> errors(Map<String, String> files, ConfigOptions options) {
        ConfigException[] caught = new ConfigException[1];
        assertThatThrownBy(() -> load(files, options))
                .isInstanceOfSatisfying(ConfigException.class, e -> caught[0] = e);
        return caught[0].problems().stream().map(ConfigProblem::toString).toList();
    }

    /** The warning lines of loading {@code files}, which must succeed. */
    public static List<String> warnings(Map<String, String> files) {
        return load(files).warnings().stream().map(ConfigProblem::toString).toList();
    }

    /** Indents every line of {@code text}. */
    public static String indent(String text, String prefix) {
        StringBuilder out = new StringBuilder();
        for (String line : text.split("\n", -1)) {
            if (!line.isEmpty()) {
                out.append(prefix).append(line);
            }
            out.append('\n');
        }
        return out.toString().replaceAll("\n+$", "\n");
    }
}
