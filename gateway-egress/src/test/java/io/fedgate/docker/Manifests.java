package io.fedgate.docker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;

/**
 * Every YAML document of every {@code *.yaml}/{@code *.yml} file under a directory, in sorted file order, parsed as
 * Kubernetes would read them (duplicate keys are an error). Files that do not parse, and documents that are not a
 * mapping, are kept as failures rather than thrown, so a test can name them all.
 */
final class Manifests {
    private final List<String> files;
    private final List<Manifest> documents;
    private final List<String> failures;

    private Manifests(List<String> files, List<Manifest> documents, List<String> failures) {
        this.files = List.copyOf(files);
        this.documents = List.copyOf(documents);
        this.failures = List.copyOf(failures);
    }

    /** Reads {@code directory} recursively. */
    static Manifests load(Path directory) {
        List<String> files = new ArrayList<>();
        List<Manifest> documents = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        for (Path path : yamlFiles(directory)) {
            String file = directory.relativize(path).toString().replace('\\', '/');
            files.add(file);
            try {
                documents.addAll(parse(file, Files.readString(path)));
            } catch (IOException e) {
                failures.add(file + ": cannot read: " + e.getMessage());
            } catch (YamlEngineException | IllegalArgumentException e) {
                failures.add(file + ": " + e.getMessage());
            }
        }
        return new Manifests(files, documents, failures);
    }

    /**
     * The documents of one file's text.
     *
     * @throws YamlEngineException if it is not YAML
     * @throws IllegalArgumentException if a document is not a mapping
     */
    static List<Manifest> parse(String file, String yaml) {
        List<Manifest> documents = new ArrayList<>();
        int index = 0;
        for (Object document : new Load(LoadSettings.builder().setLabel(file).build()).loadAllFromString(yaml)) {
            index++;
            if (document == null) {
                continue; // an empty document, e.g. after a trailing ---
            }
            if (!(document instanceof Map<?, ?>)) {
                throw new IllegalArgumentException("doc " + index + " is a " + document.getClass().getSimpleName()
                        + ", not a mapping");
            }
            documents.add(new Manifest(file, index, Yaml.map(document)));
        }
        return documents;
    }

    private static List<Path> yamlFiles(Path directory) {
        try (Stream<Path> paths = Files.walk(directory)) {
            return paths.filter(Files::isRegularFile)
                    .filter(path -> path.getFileName().toString().matches(".*\\.ya?ml"))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + directory, e);
        }
    }

    /** The YAML files read, relative to the directory. */
    List<String> files() {
        return files;
    }

    List<Manifest> all() {
        return documents;
    }

    /** Files that did not parse, and documents that are not mappings, each with its file. */
    List<String> failures() {
        return failures;
    }

    List<Manifest> ofKind(String kind) {
        return documents.stream().filter(document -> document.kind().equals(kind)).toList();
    }

    Optional<Manifest> find(String kind, String namespace, String name) {
        return documents.stream()
                .filter(document -> document.kind().equals(kind) && document.namespace().equals(namespace)
                        && document.name().equals(name))
                .findFirst();
    }
}
