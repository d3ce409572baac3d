package io.fedgate.core.config;

import static java.util.Objects.requireNonNull;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import io.fedgate.core.internal.config.ValidationRun;

/**
 * Validates parsed documents and builds the {@link FederationConfig}. Pure: it reads no file, so it can be driven
 * from in-memory documents. Every problem is collected, each with its file, document, resource and field, and a
 * single {@link ConfigException} reports them all.
 *
 * <p>Only resources of the control-plane namespace are read for {@code ServiceMeshPeer}, {@code ConfigMap},
 * {@code ExportedServiceSet} and {@code ImportedServiceSet} (others are skipped silently); {@code Service} and
 * {@code EndpointSlice} are read from every namespace. A resource without {@code metadata.namespace} belongs to the
 * control-plane namespace, as with {@code kubectl apply -n}. Kinds fedgate does not read draw one warning per kind.
 */
public final class ConfigValidator {
    private final ConfigOptions options;

    /** A validator applying {@code options}. */
    public ConfigValidator(ConfigOptions options) {
        this.options = requireNonNull(options, "options");
    }

    /**
     * Validates {@code source}, including the reading problems it carries.
     *
     * @throws ConfigException with every error, if there is any
     */
    public FederationConfig validate(ConfigSource source) {
        return new ValidationRun(options, requireNonNull(source, "source")).run();
    }

    /**
     * Validates in-memory documents.
     *
     * @throws ConfigException with every error, if there is any
     */
    public FederationConfig validate(List<SourceDocument> documents) {
        requireNonNull(documents, "documents");
        Set<String> files = new LinkedHashSet<>();
        documents.forEach(document -> files.add(document.file()));
        return validate(new ConfigSource("<memory>", List.copyOf(files), documents, List.of()));
    }
}
