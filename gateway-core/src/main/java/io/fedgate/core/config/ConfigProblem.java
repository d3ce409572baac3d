package io.fedgate.core.config;

import static java.util.Objects.requireNonNull;

/**
 * One problem found in the configuration, with where it was found. {@link #toString()} renders it in the one shape
 * every tool prints:
 *
 * <pre>
 * peers/green.yaml doc 1 ServiceMeshPeer red-mesh-system/green-mesh: spec.remote.servicePort: 70000 is not a port (1-65535)
 * peers/green.yaml line 7, column 12: YAML syntax error: mapping values are not allowed here
 * peers/green.yaml: cannot read: permission denied
 * no ServiceMeshPeer in namespace red-mesh-system: a gateway with nothing to serve must not start
 * </pre>
 *
 * <p>Parts that do not apply are left out: an empty {@code file}, {@code resource} or {@code field}, and a zero
 * {@code document}, {@code line} or {@code column}. {@code file} is relative to the config directory and always uses
 * {@code /}; {@code document} counts the {@code ---} documents of the file from 1; {@code resource} reads
 * {@code <kind> <namespace>/<name>}; {@code field} is a path such as {@code spec.remote.addresses[0]}.
 *
 * @param severity whether the problem stops the gateway
 * @param file the file, relative to the config directory, or empty
 * @param document the 1-based document index within the file, or 0
 * @param line the 1-based line of a YAML syntax error, or 0
 * @param column the 1-based column of a YAML syntax error, or 0
 * @param resource {@code <kind> <namespace>/<name>}, or empty
 * @param field the field path within the resource, or empty
 * @param message what is wrong, starting lowercase
 */
public record ConfigProblem(Severity severity, String file, int document, int line, int column, String resource,
                            String field, String message) {

    /** Whether a problem stops the gateway from starting. */
    public enum Severity {
        /** The configuration is rejected. */
        ERROR,
        /** Reported, but the configuration is usable (e.g. an unknown field Kubernetes would prune). */
        WARNING
    }

    public ConfigProblem {
        requireNonNull(severity, "severity");
        requireNonNull(file, "file");
        requireNonNull(resource, "resource");
        requireNonNull(field, "field");
        requireNonNull(message, "message");
        if (document < 0 || line < 0 || column < 0) {
            throw new IllegalArgumentException("document, line and column must be >= 0 (0 = absent)");
        }
    }

    /** A problem in one field of one resource. */
    public static ConfigProblem atField(Severity severity, String file, int document, String resource, String field,
                                        String message) {
        return new ConfigProblem(severity, file, document, 0, 0, resource, field, message);
    }

    /** A problem at a position in a file, such as a YAML syntax error. */
    public static ConfigProblem atLine(Severity severity, String file, int line, int column, String message) {
        return new ConfigProblem(severity, file, 0, line, column, "", "", message);
    }

    /** A problem with a whole file, such as one that cannot be read. */
    public static ConfigProblem atFile(Severity severity, String file, String message) {
        return new ConfigProblem(severity, file, 0, 0, 0, "", "", message);
    }

    /** A problem with the configuration as a whole, such as having no peer at all. */
    public static ConfigProblem global(Severity severity, String message) {
        return new ConfigProblem(severity, "", 0, 0, 0, "", "", message);
    }

    /** Whether this problem stops the gateway. */
    public boolean isError() {
        return severity == Severity.ERROR;
    }

    /** The location and message, e.g. {@code a.yaml doc 1 ServiceMeshPeer ns/peer: spec.remote: is required}. */
    @Override
    public String toString() {
        StringBuilder location = new StringBuilder(file);
        if (document > 0) {
            location.append(" doc ").append(document);
        }
        if (line > 0) {
            location.append(" line ").append(line);
            if (column > 0) {
                location.append(", column ").append(column);
            }
        }
        if (!resource.isEmpty()) {
            if (location.length() > 0) {
                location.append(' ');
            }
            location.append(resource);
        }
        StringBuilder out = new StringBuilder();
        if (location.length() > 0) {
            out.append(location).append(": ");
        }
        if (!field.isEmpty()) {
            out.append(field).append(": ");
        }
        return out.append(message).toString();
    }
}
