package io.fedgate.core.internal.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.fedgate.core.config.LabelSelector;
import io.fedgate.core.config.LabelSelector.Operator;
import io.fedgate.core.config.LabelSelector.Requirement;

/** Reads a Kubernetes label selector ({@code matchLabels}, {@code matchExpressions}), checking keys and values. */
public final class LabelSelectorReader {
    private LabelSelectorReader() {
    }

    /** Reads {@code node} (which must be present); empty when it had an error. */
    public static Optional<LabelSelector> read(Node node) {
        ResourceContext context = node.context();
        int errorsBefore = context.errorCount();
        node.allowFields("matchLabels", "matchExpressions");
        Map<String, String> matchLabels = new LinkedHashMap<>();
        node.field("matchLabels").entries().forEach((key, value) -> {
            Names.checkLabelKey(key).ifPresent(value::error);
            value.string().ifPresent(text -> {
                Names.checkLabelValue(text).ifPresent(value::error);
                matchLabels.put(key, text);
            });
        });
        List<Requirement> requirements = new ArrayList<>();
        for (Node expression : node.field("matchExpressions").items()) {
            requirement(expression).ifPresent(requirements::add);
        }
        if (context.errorCount() != errorsBefore) {
            return Optional.empty();
        }
        return Optional.of(new LabelSelector(matchLabels, requirements));
    }

    private static Optional<Requirement> requirement(Node expression) {
        expression.allowFields("key", "operator", "values");
        Node keyNode = expression.field("key");
        Optional<String> key = Fields.requiredString(keyNode);
        key.flatMap(Names::checkLabelKey).ifPresent(keyNode::error);
        Node operatorNode = expression.field("operator");
        Optional<Operator> operator = Fields.requiredString(operatorNode).flatMap(name -> {
            Optional<Operator> found = Operator.fromYaml(name);
            if (found.isEmpty()) {
                operatorNode.error(Names.quote(name) + " is not an operator (In, NotIn, Exists or DoesNotExist)");
            }
            return found;
        });
        Node valuesNode = expression.field("values");
        List<String> values = new ArrayList<>();
        for (Node value : valuesNode.items()) {
            value.string().ifPresent(text -> {
                Names.checkLabelValue(text).ifPresent(value::error);
                values.add(text);
            });
        }
        if (operator.isEmpty() || key.isEmpty()) {
            return Optional.empty();
        }
        if (operator.get().takesValues() && values.isEmpty()) {
            valuesNode.error("must not be empty for operator " + operator.get().yamlName());
            return Optional.empty();
        }
        if (!operator.get().takesValues() && !values.isEmpty()) {
            valuesNode.error("must be empty for operator " + operator.get().yamlName());
            return Optional.empty();
        }
        return Optional.of(new Requirement(key.get(), operator.get(), values));
    }
}
