package io.fedgate.core.internal.config;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Parse;
import org.snakeyaml.engine.v2.events.Event;
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
 *
 * <p>A config directory may hold hostile files, so the loader is bounded: at most {@value #MAX_CODE_POINTS} code
 * points per file, {@value #MAX_ALIASES} aliases to collections per document (snakeyaml-engine's guard against
 * "billion laughs"), collections nested at most {@value #MAX_DEPTH} deep (its composer recurses, so deeper input
 * would exhaust the stack), and no alias inside its own anchor (a collection containing itself). Each breach is a
 * problem of the file, like a syntax error.
 */
public final class YamlDocuments {
    /** Most code points read from one file, snakeyaml-engine's default: 3 MiB of ASCII. */
    public static final int MAX_CODE_POINTS = 3 * 1024 * 1024;
    /** Most aliases to a mapping or list in one document, snakeyaml-engine's default. */
    public static final int MAX_ALIASES = 50;
    /** Deepest nesting of mappings and lists; Kubernetes resources need about ten levels. */
    public static final int MAX_DEPTH = 100;

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
                .setAllowRecursiveKeys(false)
                .setMaxAliasesForCollections(MAX_ALIASES)
                .setCodePointLimit(MAX_CODE_POINTS)
                .build();
        String content = text.startsWith("\uFEFF") ? text.substring(1) : text;
        List<SourceDocument> documents = new ArrayList<>();
        List<ConfigProblem> problems = new ArrayList<>();
        try {
            Optional<ConfigProblem> tooDeep = tooDeep(file, settings, content);
            if (tooDeep.isPresent()) {
                problems.add(tooDeep.get());
                return new Parsed(documents, problems);
            }
            for (Object document : new Load(settings).loadAllFromString(content)) {
                documents.add(new SourceDocument(file, documents.size() + 1, document));
            }
        } catch (MarkedYamlEngineException e) {
            problems.add(syntaxProblem(file, e));
        } catch (YamlEngineException e) {
            problems.add(ConfigProblem.atFile(Severity.ERROR, file, "YAML syntax error: " + firstLine(e.getMessage())));
        } catch (RecursiveAliasException e) {
            problems.add(ConfigProblem.atFile(Severity.ERROR, file, "YAML error in document " + (documents.size() + 1)
                    + ": " + e.getMessage()));
        }
        return new Parsed(documents, problems);
    }

    /**
     * The nesting check, on the event stream (the parser keeps its own stack; only the composer recurses). A syntax
     * error it meets is left to the loading pass, which reports the documents before it as well.
     */
    private static Optional<ConfigProblem> tooDeep(String file, LoadSettings settings, String content) {
        int depth = 0;
        try {
            for (Event event : new Parse(settings).parseString(content)) {
                Event.ID id = event.getEventId();
                if (id == Event.ID.MappingStart || id == Event.ID.SequenceStart) {
                    if (++depth > MAX_DEPTH) {
                        Optional<Mark> mark = event.getStartMark();
                        return Optional.of(ConfigProblem.atLine(Severity.ERROR, file,
                                mark.map(m -> m.getLine() + 1).orElse(0), mark.map(m -> m.getColumn() + 1).orElse(0),
                                "YAML nested more than " + MAX_DEPTH + " levels deep"));
                    }
                } else if (id == Event.ID.MappingEnd || id == Event.ID.SequenceEnd) {
                    depth--;
                }
            }
        } catch (YamlEngineException e) {
            // Everything before the error is nested within bounds; loading reports the error after its documents.
        }
        return Optional.empty();
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
     * YAML has), so a document cannot change after it was read. A collection reached through several aliases is
     * copied once and shared, as the parser shared it: copying each path anew would turn a few aliases into an
     * exponential tree.
     *
     * @throws IllegalArgumentException if a collection contains itself (an alias inside its own anchor)
     */
    public static Object freeze(Object value) {
        return freeze(value, new IdentityHashMap<>(), new IdentityHashMap<>());
    }

    private static Object freeze(Object value, Map<Object, Object> frozen, Map<Object, Boolean> open) {
        if (!(value instanceof Map) && !(value instanceof List)) {
            return value;
        }
        Object done = frozen.get(value);
        if (done != null) {
            return done;
        }
        if (open.put(value, Boolean.TRUE) != null) {
            throw new RecursiveAliasException();
        }
        Object copy;
        if (value instanceof Map) {
            Map<Object, Object> map = new LinkedHashMap<>();
            ((Map<?, ?>) value).forEach((key, item) -> map.put(key, freeze(item, frozen, open)));
            copy = Collections.unmodifiableMap(map);
        } else {
            List<Object> list = new ArrayList<>();
            ((List<?>) value).forEach(item -> list.add(freeze(item, frozen, open)));
            copy = Collections.unmodifiableList(list);
        }
        open.remove(value);
        frozen.put(value, copy);
        return copy;
    }

    /** A collection that contains itself: YAML allows it, no Kubernetes resource has it. */
    private static final class RecursiveAliasException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        RecursiveAliasException() {
            super("a mapping or list contains itself through an alias");
        }
    }
}
