package io.fedgate.core.internal.config;

import static java.util.Objects.requireNonNull;

import io.fedgate.core.config.ConfigProblem;
import io.fedgate.core.config.ConfigProblem.Severity;

/**
 * Where one resource was read from ({@code file}, {@code document}) and who it is ({@code kind namespace/name});
 * every problem of the resource is reported through it so that each carries the full location.
 */
public final class ResourceContext {
    private final ProblemSink sink;
    private final String file;
    private final int document;
    private final String kind;
    private final String namespace;
    private final String name;
    private int errors;

    /**
     * @param kind the kind, or empty when the document has none
     * @param name the name, or empty when it has none
     */
    public ResourceContext(ProblemSink sink, String file, int document, String kind, String namespace, String name) {
        this.sink = requireNonNull(sink, "sink");
        this.file = requireNonNull(file, "file");
        this.document = document;
        this.kind = requireNonNull(kind, "kind");
        this.namespace = requireNonNull(namespace, "namespace");
        this.name = requireNonNull(name, "name");
    }

    /** The file, relative to the config directory. */
    public String file() {
        return file;
    }

    /** The 1-based document index. */
    public int document() {
        return document;
    }

    /** The kind. */
    public String kind() {
        return kind;
    }

    /** The namespace (the control-plane namespace when the resource names none). */
    public String namespace() {
        return namespace;
    }

    /** The name, possibly empty. */
    public String name() {
        return name;
    }

    /** {@code <kind> <namespace>/<name>}, or empty for a document that is no resource. */
    public String resource() {
        if (kind.isEmpty()) {
            return "";
        }
        return kind + " " + namespace + "/" + (name.isEmpty() ? "<unnamed>" : name);
    }

    /** {@code <file> doc <n>}, for pointing at this resource from another's message. */
    public String location() {
        return file + " doc " + document;
    }

    /** Reports an error at {@code field} (a path such as {@code spec.remote.servicePort}). */
    public void error(String field, String message) {
        errors++;
        sink.add(ConfigProblem.atField(Severity.ERROR, file, document, resource(), field, message));
    }

    /** Reports a warning at {@code field}. */
    public void warn(String field, String message) {
        sink.add(ConfigProblem.atField(Severity.WARNING, file, document, resource(), field, message));
    }

    /** How many errors were reported for this resource so far. */
    public int errorCount() {
        return errors;
    }
}
