package io.fedgate.core.internal.config;

import java.util.Map;
import java.util.Set;

/**
 * Reads and checks {@code metadata}: the name by the kind's rule, the namespace as a DNS-1123 label, labels and
 * annotations as string maps. Fields the API server fills in ({@code uid}, {@code managedFields}, ...) are accepted,
 * so that {@code kubectl get -o yaml} output loads without warnings.
 *
 * @param labels {@code metadata.labels}
 * @param annotations {@code metadata.annotations}
 */
public record Metadata(Map<String, String> labels, Map<String, String> annotations) {
    private static final Set<String> KNOWN_FIELDS = Set.of("name", "namespace", "labels", "annotations", "uid",
            "resourceVersion", "generation", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds",
            "managedFields", "ownerReferences", "finalizers", "generateName", "selfLink");

    public Metadata {
        labels = Map.copyOf(labels);
        annotations = Map.copyOf(annotations);
    }

    /** Reads the metadata of {@code resource}, reporting its problems. */
    public static Metadata read(Resource resource) {
        Node metadata = resource.root().field("metadata");
        metadata.allowFields(KNOWN_FIELDS);
        Node name = metadata.field("name");
        if (name.require()) {
            name.string().ifPresent(value -> {
                if (value.isEmpty()) {
                    name.error("must not be empty");
                } else {
                    resource.kind().checkName(value).ifPresent(name::error);
                }
            });
        }
        Node namespace = metadata.field("namespace");
        namespace.string().ifPresent(value -> Names.checkDns1123Label(value).ifPresent(namespace::error));
        return new Metadata(metadata.field("labels").stringMap(), metadata.field("annotations").stringMap());
    }
}
