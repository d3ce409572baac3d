package io.fedgate.core.internal.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import io.fedgate.core.config.ExportRule;
import io.fedgate.core.config.ExportedServiceSet;
import io.fedgate.core.config.LabelSelector;
import io.fedgate.core.config.ServiceNameMapping;

/** Reads an {@code ExportedServiceSet}: {@code spec.exportRules} of type NameSelector or LabelSelector. */
public final class ExportedServiceSetReader {
    private ExportedServiceSetReader() {
    }

    /** Reads {@code resource}; empty when it had an error. */
    public static Optional<ExportedServiceSet> read(Resource resource) {
        Node root = resource.root();
        root.allowFields("apiVersion", "kind", "metadata", "spec", "status");
        Node spec = root.field("spec");
        spec.allowFields("exportRules");
        List<ExportRule> rules = new ArrayList<>();
        for (Node rule : spec.field("exportRules").items()) {
            rule(rule).ifPresent(rules::add);
        }
        if (resource.context().errorCount() != 0) {
            return Optional.empty();
        }
        return Optional.of(new ExportedServiceSet(resource.name(), resource.namespace(), rules));
    }

    private static Optional<ExportRule> rule(Node rule) {
        rule.allowFields("type", "nameSelector", "labelSelector");
        Node type = rule.field("type");
        Optional<String> typeName = Fields.requiredString(type);
        if (typeName.isEmpty()) {
            return Optional.empty();
        }
        switch (typeName.get()) {
            case "NameSelector":
                ignoreOther(rule.field("labelSelector"), "NameSelector");
                Node nameSelector = rule.field("nameSelector");
                if (!requireFor(nameSelector, "NameSelector")) {
                    return Optional.empty();
                }
                return NameMappingReader.read(nameSelector, Set.of()).map(ExportRule.ByName::new);
            case "LabelSelector":
                ignoreOther(rule.field("nameSelector"), "LabelSelector");
                Node labelSelector = rule.field("labelSelector");
                if (!requireFor(labelSelector, "LabelSelector")) {
                    return Optional.empty();
                }
                return byLabels(labelSelector);
            default:
                type.error(Names.quote(typeName.get()) + " is not an export rule type (NameSelector or LabelSelector)");
                return Optional.empty();
        }
    }

    private static Optional<ExportRule> byLabels(Node node) {
        int errorsBefore = node.context().errorCount();
        node.allowFields("namespace", "selector", "aliases");
        String namespace = NameMappingReader.part(node.field("namespace"));
        Node selectorNode = node.field("selector");
        Optional<LabelSelector> selector = Optional.empty();
        if (!selectorNode.isPresent()) {
            selectorNode.error("is required (write {} to select every service of the namespace)");
        } else {
            selector = LabelSelectorReader.read(selectorNode);
        }
        List<ServiceNameMapping> aliases = new ArrayList<>();
        for (Node alias : node.field("aliases").items()) {
            NameMappingReader.read(alias, Set.of()).ifPresent(aliases::add);
        }
        if (node.context().errorCount() != errorsBefore || selector.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new ExportRule.ByLabels(namespace, selector.get(), aliases));
    }

    private static boolean requireFor(Node selector, String type) {
        if (!selector.isPresent()) {
            selector.error("is required for type " + type);
            return false;
        }
        return true;
    }

    private static void ignoreOther(Node other, String type) {
        if (other.isPresent()) {
            other.warn("ignored because type is " + type);
        }
    }
}
