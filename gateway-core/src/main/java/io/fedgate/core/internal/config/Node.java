package io.fedgate.core.internal.config;

import static java.util.Objects.requireNonNull;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * A value in a parsed YAML tree together with its field path ({@code spec.remote.addresses[0]}). Readers walk
 * resources through nodes by hand: each accessor checks the type it expects and reports a mismatch as an error at the
 * node's path (then behaves as if the value were absent), so every message names its field.
 *
 * <p>An absent field and an explicit YAML {@code null} are the same, as in Kubernetes. A type mismatch of a
 * mapping or list is reported once per node, however often the node is read.
 */
public final class Node {
    private final ResourceContext context;
    private final String path;
    private final Object value;
    private boolean typeErrorReported;

    private Node(ResourceContext context, String path, Object value) {
        this.context = context;
        this.path = path;
        this.value = value;
    }

    /** The root of a resource's tree. */
    public static Node root(ResourceContext context, Object value) {
        return new Node(requireNonNull(context, "context"), "", value);
    }

    /** The field path, empty at the root. */
    public String path() {
        return path;
    }

    /** Whether a (non-null) value is present. */
    public boolean isPresent() {
        return value != null;
    }

    /** The resource this node belongs to. */
    public ResourceContext context() {
        return context;
    }

    /** The child {@code key} of a mapping; absent if this node is absent or (reported) not a mapping. */
    public Node field(String key) {
        Map<?, ?> map = mapping();
        return new Node(context, childPath(key), map == null ? null : map.get(key));
    }

    /** Warns about each key of this mapping not in {@code known}: Kubernetes would prune such fields. */
    public void allowFields(Set<String> known) {
        Map<?, ?> map = mapping();
        if (map == null) {
            return;
        }
        for (Object key : map.keySet()) {
            if (!known.contains(String.valueOf(key))) {
                context.warn(childPath(String.valueOf(key)), "unknown field, ignored");
            }
        }
    }

    /** Like {@link #allowFields(Set)}. */
    public void allowFields(String... known) {
        allowFields(Set.of(known));
    }

    /** The items of a list, each with its indexed path; empty if absent or (reported) not a list. */
    public List<Node> items() {
        if (value == null) {
            return List.of();
        }
        if (!(value instanceof List)) {
            reportType("a list");
            return List.of();
        }
        List<?> list = (List<?>) value;
        List<Node> items = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
            items.add(new Node(context, path + "[" + i + "]", list.get(i)));
        }
        return items;
    }

    /** The entries of a mapping whose keys are strings, in document order; other keys are reported. */
    public Map<String, Node> entries() {
        Map<?, ?> map = mapping();
        if (map == null) {
            return Map.of();
        }
        Map<String, Node> entries = new LinkedHashMap<>();
        for (Map.Entry<?, ?> entry : map.entrySet()) {
            if (entry.getKey() instanceof String) {
                String key = (String) entry.getKey();
                entries.put(key, new Node(context, childPath(key), entry.getValue()));
            } else {
                context.error(childPath(String.valueOf(entry.getKey())), "key must be a string, got "
                        + describe(entry.getKey()));
            }
        }
        return Collections.unmodifiableMap(entries);
    }

    /** A mapping of strings to strings, such as labels; entries of another type are reported and left out. */
    public Map<String, String> stringMap() {
        Map<String, String> result = new LinkedHashMap<>();
        entries().forEach((key, node) -> {
            if (!node.isPresent()) {
                // Kubernetes stores a null label or data value as the empty string.
                result.put(key, "");
            } else {
                node.string().ifPresent(text -> result.put(key, text));
            }
        });
        return Collections.unmodifiableMap(result);
    }

    /** A string; empty if absent or (reported) not a string. */
    public Optional<String> string() {
        if (value == null) {
            return Optional.empty();
        }
        if (value instanceof String) {
            return Optional.of((String) value);
        }
        error("expected a string, got " + describe(value));
        return Optional.empty();
    }

    /** A non-empty string; empty if absent, empty or (reported) not a string. */
    public Optional<String> nonEmptyString() {
        return string().filter(text -> !text.isEmpty());
    }

    /** An integer; empty if absent or (reported) not an integer. */
    public OptionalLong integer() {
        if (value == null) {
            return OptionalLong.empty();
        }
        if (value instanceof Integer || value instanceof Long) {
            return OptionalLong.of(((Number) value).longValue());
        }
        if (value instanceof BigInteger) {
            error(value + " is too large");
            return OptionalLong.empty();
        }
        error("expected an integer, got " + describe(value));
        return OptionalLong.empty();
    }

    /** A boolean; empty if absent or (reported) not a boolean. */
    public Optional<Boolean> bool() {
        if (value == null) {
            return Optional.empty();
        }
        if (value instanceof Boolean) {
            return Optional.of((Boolean) value);
        }
        error("expected a boolean (true or false), got " + describe(value));
        return Optional.empty();
    }

    /** Whether the value is a string (so that a caller can choose between int-or-string forms). */
    public boolean isString() {
        return value instanceof String;
    }

    /** Whether the value is a list. */
    public boolean isList() {
        return value instanceof List;
    }

    /** Whether the value is a mapping. */
    public boolean isMapping() {
        return value instanceof Map;
    }

    /** Reports an error at this node's path. */
    public void error(String message) {
        context.error(path, message);
    }

    /** Reports a warning at this node's path. */
    public void warn(String message) {
        context.warn(path, message);
    }

    /** Reports {@code is required} here when absent; returns whether present. */
    public boolean require() {
        if (value == null) {
            error("is required");
            return false;
        }
        return true;
    }

    private Map<?, ?> mapping() {
        if (value == null) {
            return null;
        }
        if (value instanceof Map) {
            return (Map<?, ?>) value;
        }
        reportType("a mapping");
        return null;
    }

    private void reportType(String expected) {
        if (!typeErrorReported) {
            typeErrorReported = true;
            error("expected " + expected + ", got " + describe(value));
        }
    }

    private String childPath(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    /** Names a YAML value's type for a message, quoting scalars: {@code a string ('abc')}, {@code a list}. */
    public static String describe(Object value) {
        if (value == null) {
            return "null";
        }
        if (value instanceof Map) {
            return "a mapping";
        }
        if (value instanceof List) {
            return "a list";
        }
        if (value instanceof String) {
            return "a string (" + Names.quote((String) value) + ")";
        }
        if (value instanceof Boolean) {
            return "a boolean (" + value + ")";
        }
        if (value instanceof Integer || value instanceof Long || value instanceof BigInteger) {
            return "an integer (" + value + ")";
        }
        if (value instanceof Number) {
            return "a number (" + value + ")";
        }
        return "a " + value.getClass().getSimpleName();
    }
}
