package io.fedgate.core.config;

import static java.util.Objects.requireNonNull;

import io.fedgate.core.internal.config.YamlDocuments;

/**
 * One YAML document of a config file, as plain Java values (maps, lists, strings, numbers, booleans; null for an
 * empty document). The content is deep-copied into unmodifiable collections.
 *
 * @param file the file, relative to the config directory
 * @param index the 1-based position of the document in the file
 * @param content the parsed document, or null when it is empty
 */
public record SourceDocument(String file, int index, Object content) {

    public SourceDocument {
        requireNonNull(file, "file");
        if (index < 1) {
            throw new IllegalArgumentException("index must be >= 1: " + index);
        }
        content = YamlDocuments.freeze(content);
    }
}
