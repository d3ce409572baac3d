package io.fedgate.core.internal.config;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.schema.CoreSchema;

import io.fedgate.core.config.ConfigProblem;
import io.fedgate.core.config.ConfigProblem.Severity;
import io.fedgate.core.config.SourceDocument;

/**
 * Splits one YAML file into its {@code ---} documents as plain Java values (maps, lists, strings, numbers, booleans,
 * null). A syntax error ends the file: documents before it are kept (so their problems are reported too), and the
 * error is reported with its line and column.
 */
public final class YamlDocuments {
    private YamlDocuments() {
    }

    /**
     * The documents of {@code file} and the syntax problem that ended it early, if any.
     *
     * @param documents the documents, empty ones included (as null content), in order
     * @param problems at most one syntax problem
     */
    public record Parsed(List<SourceDocument> documents, List<ConfigProblem> problems) {
        public Parsed {
            documents = List.copyOf(documents);
            problems = List.copyOf(problems);
        }
    }

    /** Parses {@code text}, the content of {@code file} (a path relative to the config directory). */
    public static Parsed parse(String file, String text) {
        requireNonNull(file, "file");
        requireNonNull(text, "text");
        LoadSettings settings = LoadSettings.builder()
                .setLabel(file)
                // The core schema reads ~, Null and 0x1F as Kubernetes' YAML does; the JSON schema would not.
                .setSchema(new CoreSchema())
                .setAllowDuplicateKeys(false)
                .build();
        String content = text.startsWith("\uFEFF") ? text.substring(1) : text;
        List<SourceDocument> documents = new ArrayList<>();
        List<ConfigProblem> problems = new ArrayList<>();
        try {
            for (Object document : new Load(settings).loadAllFromString(content)) {
                documents.add(new SourceDocument(file, documents.size() + 1, document));
            }
        } catch (MarkedYamlEngineException e) {
            problems.add(syntaxProblem(file, e));
        } catch (YamlEngineException e) {
            problems.add(ConfigProblem.atFile(Severity.ERROR, file, "YAML syntax error: " + firstLine(e.getMessage())));
        }
        return new Parsed(documents, problems);
    }

    private static ConfigProblem syntaxProblem(String file, MarkedYamlEngineException e) {
        Optional<Mark> mark = e.getProblemMark().or(e::getContextMark);
        StringBuilder message = new StringBuilder("YAML syntax error: ").append(firstLine(e.getProblem()));
        if (e.getContext() != null && !e.getContext().isEmpty()) {
            message.append(" (").append(firstLine(e.getContext()));
            e.getContextMark().ifPresent(m -> message.append(" at line ").append(m.getLine() + 1));
            message.append(')');
        }
        return ConfigProblem.atLine(Severity.ERROR, file,
                mark.map(m -> m.getLine() + 1).orElse(0),
                mark.map(m -> m.getColumn() + 1).orElse(0),
                message.toString());
    }

    private static String firstLine(String text) {
        if (text == null) {
            return "";
        }
        int newline = text.indexOf('\n');
        return (newline < 0 ? text : text.substring(0, newline)).trim();
    }

    /**
     * Deep-copies a YAML tree into unmodifiable maps and lists (which, unlike {@code Map.copyOf}, allow the nulls
     * YAML has), so a document cannot change after it was read.
     */
    public static Object freeze(Object value) {
        if (value instanceof Map) {
            Map<Object, Object> copy = new LinkedHashMap<>();
            ((Map<?, ?>) value).forEach((key, item) -> copy.put(key, freeze(item)));
            return Collections.unmodifiableMap(copy);
        }
        if (value instanceof List) {
            List<Object> copy = new ArrayList<>();
            ((List<?>) value).forEach(item -> copy.add(freeze(item)));
            return Collections.unmodifiableList(copy);
        }
        return value;
    }
}
