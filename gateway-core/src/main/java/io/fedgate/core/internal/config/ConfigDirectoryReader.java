package io.fedgate.core.internal.config;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import io.fedgate.core.config.ConfigProblem;
import io.fedgate.core.config.ConfigProblem.Severity;
import io.fedgate.core.config.ConfigSource;
import io.fedgate.core.config.SourceDocument;

/**
 * Reads every {@code *.yaml} and {@code *.yml} file under a directory, recursing into subdirectories, in sorted
 * order so that two gateways reading the same tree see the same documents in the same order.
 *
 * <p>Names starting with {@code .} are skipped. Besides hiding editor and VCS files, this matters when the directory
 * is a mounted Kubernetes ConfigMap: the kubelet adds {@code ..data} and {@code ..<timestamp>} directories holding
 * the real files, which would otherwise be read twice.
 */
public final class ConfigDirectoryReader {
    private ConfigDirectoryReader() {
    }

    /** Reads {@code directory}; a missing or unreadable directory is reported, not thrown. */
    public static ConfigSource read(Path directory) {
        String description = directory.toString();
        List<String> files = new ArrayList<>();
        List<SourceDocument> documents = new ArrayList<>();
        List<ConfigProblem> problems = new ArrayList<>();
        if (!Files.isDirectory(directory)) {
            String reason = Files.exists(directory) ? "is not a directory" : "does not exist";
            problems.add(ConfigProblem.global(Severity.ERROR, "config dir " + description + " " + reason));
            return new ConfigSource(description, files, documents, problems);
        }
        List<Path> yamlFiles = new ArrayList<>();
        collect(directory, directory, yamlFiles, new HashSet<>(), problems);
        for (Path path : yamlFiles) {
            String file = relativeName(directory, path);
            files.add(file);
            String text;
            try {
                text = Files.readString(path, StandardCharsets.UTF_8);
            } catch (IOException e) {
                problems.add(ConfigProblem.atFile(Severity.ERROR, file, "cannot read: " + reason(e)));
                continue;
            }
            YamlDocuments.Parsed parsed = YamlDocuments.parse(file, text);
            documents.addAll(parsed.documents());
            problems.addAll(parsed.problems());
        }
        return new ConfigSource(description, files, documents, problems);
    }

    private static void collect(Path root, Path directory, List<Path> out, Set<Path> visited,
                                List<ConfigProblem> problems) {
        try {
            // A symlinked directory pointing at an ancestor would otherwise recurse forever.
            if (!visited.add(directory.toRealPath())) {
                return;
            }
        } catch (IOException e) {
            problems.add(ConfigProblem.atFile(Severity.ERROR, relativeName(root, directory), "cannot read: " + reason(e)));
            return;
        }
        List<Path> entries = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(directory)) {
            stream.forEach(entries::add);
        } catch (IOException e) {
            String name = directory.equals(root) ? "." : relativeName(root, directory);
            problems.add(ConfigProblem.atFile(Severity.ERROR, name, "cannot read: " + reason(e)));
            return;
        }
        entries.sort((a, b) -> a.getFileName().toString().compareTo(b.getFileName().toString()));
        for (Path entry : entries) {
            String name = entry.getFileName().toString();
            if (name.startsWith(".")) {
                continue;
            }
            if (Files.isDirectory(entry)) {
                collect(root, entry, out, visited, problems);
            } else if (name.endsWith(".yaml") || name.endsWith(".yml")) {
                out.add(entry);
            }
        }
    }

    private static String relativeName(Path root, Path path) {
        return root.relativize(path).toString().replace('\\', '/');
    }

    private static String reason(IOException e) {
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof NoSuchFileException) {
            return "no such file";
        }
        if (e instanceof CharacterCodingException) {
            return "not valid UTF-8";
        }
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }
}
