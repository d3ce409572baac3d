package io.fedgate.core.internal.config;

import java.util.Map;

/** Reads a {@code ConfigMap}'s {@code data}; which entries matter is for the resources that reference it. */
public final class ConfigMapReader {
    private ConfigMapReader() {
    }

    /** The {@code data} entries of {@code resource}, reporting values that are not strings. */
    public static Map<String, String> read(Resource resource) {
        Node root = resource.root();
        root.allowFields("apiVersion", "kind", "metadata", "data", "binaryData", "immutable");
        root.field("immutable").bool();
        root.field("binaryData").entries();
        return root.field("data").stringMap();
    }
}
