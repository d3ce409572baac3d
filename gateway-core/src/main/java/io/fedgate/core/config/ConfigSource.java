package io.fedgate.core.config;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.fedgate.core.internal.config.ConfigDirectoryReader;
import io.fedgate.core.internal.config.YamlDocuments;

/**
 * Parsed but not yet validated input: the files read, their YAML documents, and the problems of reading them
 * (unreadable files, YAML syntax errors). {@link ConfigValidator} turns it into a {@link FederationConfig}.
 *
 * @param description where the input came from, e.g. the config directory
 * @param files the files read, relative to the directory, in reading order
 * @param documents their documents, in order
 * @param problems problems met while reading and parsing
 */
public record ConfigSource(String description, List<String> files, List<SourceDocument> documents,
                           List<ConfigProblem> problems) {

    public ConfigSource {
        requireNonNull(description, "description");
        files = List.copyOf(requireNonNull(files, "files"));
        documents = List.copyOf(requireNonNull(documents, "documents"));
        problems = List.copyOf(requireNonNull(problems, "problems"));
    }

    /**
     * Reads every {@code *.yaml}/{@code *.yml} file under {@code directory}, recursively, in sorted order (names
     * starting with {@code .} are skipped). I/O and syntax problems are recorded, not thrown.
     */
    public static ConfigSource readDirectory(Path directory) {
        return ConfigDirectoryReader.read(requireNonNull(directory, "directory"));
    }

    /** Parses in-memory YAML, file name to content, in the map's iteration order (use a sorted or linked map). */
    public static ConfigSource fromYaml(String description, Map<String, String> yamlByFile) {
        requireNonNull(yamlByFile, "yamlByFile");
        List<SourceDocument> documents = new ArrayList<>();
        List<ConfigProblem> problems = new ArrayList<>();
        yamlByFile.forEach((file, yaml) -> {
            YamlDocuments.Parsed parsed = YamlDocuments.parse(file, yaml);
            documents.addAll(parsed.documents());
            problems.addAll(parsed.problems());
        });
        return new ConfigSource(description, List.copyOf(yamlByFile.keySet()), documents, problems);
    }
}
