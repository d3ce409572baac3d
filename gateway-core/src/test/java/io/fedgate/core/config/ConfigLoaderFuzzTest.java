package io.fedgate.core.config;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Kubernetes YAML from a hostile or broken config directory: any file content must give either a
 * {@link FederationConfig} or a {@link ConfigException} listing problems, never another exception, a hang or an
 * exhausted heap or stack (alias bombs, deep nesting, recursive anchors). The seeds are real resources of every kind
 * fedgate reads and a few known attacks on YAML loaders.
 */
class ConfigLoaderFuzzTest {
    private static final ConfigLoader LOADER = new ConfigLoader(ConfigFixtures.OPTIONS);

    @FuzzTest(maxDuration = "10s")
    void yamlGivesAConfigOrProblems(byte[] input) {
        // Read as the directory reader reads a file: UTF-8, malformed bytes replaced.
        String yaml = new String(input, StandardCharsets.UTF_8);
        try {
            LOADER.loadYaml(Map.of("fuzz.yaml", yaml));
        } catch (ConfigException e) {
            if (e.problems().isEmpty()) {
                throw new AssertionError("a ConfigException without an error", e);
            }
        }
    }
}
