package io.fedgate.core.config;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Loads a gateway's configuration from {@code --config-dir}: every {@code *.yaml}/{@code *.yml} file under it,
 * recursively and in sorted order, several {@code ---} documents per file. Reading and validating are separate steps
 * ({@link ConfigSource}, {@link ConfigValidator}); this class runs both.
 *
 * <pre>{@code
 * FederationConfig config = new ConfigLoader(ConfigOptions.of("red-mesh-system")).load(Path.of("/etc/fedgate"));
 * }</pre>
 */
public final class ConfigLoader {
    private final ConfigOptions options;

    /** A loader applying {@code options}. */
    public ConfigLoader(ConfigOptions options) {
        this.options = requireNonNull(options, "options");
    }

    /**
     * Reads and validates the directory.
     *
     * @throws ConfigException with every problem found: unreadable files, YAML syntax errors, invalid resources, and
     *     (unless {@link ConfigOptions#requirePeers()} is off) nothing to serve
     */
    public FederationConfig load(Path directory) {
        ConfigSource source = ConfigSource.readDirectory(requireNonNull(directory, "directory"));
        if (source.files().isEmpty() && !source.problems().isEmpty()) {
            // The directory itself is missing or unreadable: there is nothing else to say.
            throw new ConfigException(source.problems(), List.of());
        }
        return new ConfigValidator(options).validate(source);
    }

    /**
     * Parses and validates in-memory YAML, file name to content, in the map's iteration order.
     *
     * @throws ConfigException with every problem found
     */
    public FederationConfig loadYaml(Map<String, String> yamlByFile) {
        return new ConfigValidator(options).validate(ConfigSource.fromYaml("<memory>", yamlByFile));
    }
}
