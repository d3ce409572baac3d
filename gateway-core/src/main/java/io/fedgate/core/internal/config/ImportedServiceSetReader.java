package io.fedgate.core.internal.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import io.fedgate.core.config.ImportRule;
import io.fedgate.core.config.ImportedServiceSet;
import io.fedgate.core.config.Locality;
import io.fedgate.core.config.ServiceNameMapping;

/**
 * Reads an {@code ImportedServiceSet}: {@code domainSuffix}, {@code locality} and {@code importRules} (NameSelector
 * only). Maistra writes a rule's {@code importAsLocal} and {@code domainSuffix} beside {@code type}; they are also
 * accepted inside {@code nameSelector}, and the two places must then agree.
 */
public final class ImportedServiceSetReader {
    private static final Set<String> RULE_FIELDS_IN_SELECTOR = Set.of("importAsLocal", "domainSuffix");

    private ImportedServiceSetReader() {
    }

    /** Reads {@code resource}; empty when it had an error. */
    public static Optional<ImportedServiceSet> read(Resource resource, String clusterDomain) {
        Node root = resource.root();
        root.allowFields("apiVersion", "kind", "metadata", "spec", "status");
        Node spec = root.field("spec");
        spec.allowFields("domainSuffix", "locality", "importRules");
        Optional<String> domainSuffix = domainSuffix(spec.field("domainSuffix"));
        Optional<Locality> locality = locality(spec.field("locality"));
        List<ImportRule> rules = new ArrayList<>();
        for (Node rule : spec.field("importRules").items()) {
            rule(rule).ifPresent(rules::add);
        }
        if (resource.context().errorCount() != 0) {
            return Optional.empty();
        }
        return Optional.of(new ImportedServiceSet(resource.name(), resource.namespace(),
                domainSuffix.orElse(ImportedServiceSet.defaultDomainSuffix(resource.name())), domainSuffix.isEmpty(),
                locality, rules, clusterDomain));
    }

    private static Optional<String> domainSuffix(Node node) {
        Optional<String> value = node.nonEmptyString();
        value.flatMap(Names::checkDns1123Subdomain).ifPresent(node::error);
        return value;
    }

    private static Optional<Locality> locality(Node node) {
        node.allowFields("region", "zone", "subzone");
        Node regionNode = node.field("region");
        Node zoneNode = node.field("zone");
        Node subzoneNode = node.field("subzone");
        String region = localityPart(regionNode);
        String zone = localityPart(zoneNode);
        String subzone = localityPart(subzoneNode);
        if (!zone.isEmpty() && region.isEmpty()) {
            zoneNode.error("needs spec.locality.region");
        }
        if (!subzone.isEmpty() && (zone.isEmpty() || region.isEmpty())) {
            subzoneNode.error("needs spec.locality.zone and spec.locality.region");
        }
        if (region.isEmpty() || (!subzone.isEmpty() && zone.isEmpty())) {
            return Optional.empty();
        }
        return Optional.of(new Locality(region, zone, subzone));
    }

    private static String localityPart(Node node) {
        String value = node.string().orElse("");
        if (value.contains("/")) {
            // Istio joins the parts with '/', so a part holding one would shift the others.
            node.error(Names.quote(value) + " must not contain '/'");
            return "";
        }
        return value;
    }

    private static Optional<ImportRule> rule(Node rule) {
        int errorsBefore = rule.context().errorCount();
        rule.allowFields("type", "nameSelector", "importAsLocal", "domainSuffix");
        Node type = rule.field("type");
        Optional<String> typeName = Fields.requiredString(type);
        if (typeName.isPresent() && !typeName.get().equals("NameSelector")) {
            type.error(Names.quote(typeName.get()) + " is not an import rule type (only NameSelector)");
        }
        Node selector = rule.field("nameSelector");
        Optional<ServiceNameMapping> mapping = Optional.empty();
        if (!selector.isPresent()) {
            selector.error("is required for type NameSelector");
        } else {
            mapping = NameMappingReader.read(selector, RULE_FIELDS_IN_SELECTOR);
        }
        Node ruleAsLocal = rule.field("importAsLocal");
        Node selectorAsLocal = selector.field("importAsLocal");
        boolean importAsLocal = agreeing(ruleAsLocal, ruleAsLocal.bool(), selectorAsLocal, selectorAsLocal.bool())
                .orElse(false);
        Node ruleSuffix = rule.field("domainSuffix");
        Node selectorSuffix = selector.field("domainSuffix");
        Optional<String> suffix = agreeing(ruleSuffix, domainSuffix(ruleSuffix), selectorSuffix,
                domainSuffix(selectorSuffix));
        Node suffixNode = ruleSuffix.isPresent() ? ruleSuffix : selectorSuffix;
        if (importAsLocal && suffix.isPresent()) {
            suffixNode.warn("ignored because importAsLocal is true");
        }
        if (importAsLocal && mapping.isPresent() && !mapping.get().hasFixedAliasNamespace()) {
            selector.field("alias").field("namespace")
                    .error("importAsLocal needs a fixed alias namespace (not empty or '*')");
        }
        if (rule.context().errorCount() != errorsBefore || mapping.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new ImportRule(mapping.get(), importAsLocal ? "" : suffix.orElse(""), importAsLocal));
    }

    /** The value given in either place; when given in both, they must be equal (reported at the second). */
    private static <T> Optional<T> agreeing(Node first, Optional<T> firstValue, Node second, Optional<T> secondValue) {
        if (firstValue.isPresent() && secondValue.isPresent() && !firstValue.equals(secondValue)) {
            second.error(secondValue.get() + " conflicts with " + first.path() + " (" + firstValue.get() + ")");
        }
        return firstValue.or(() -> secondValue);
    }
}
