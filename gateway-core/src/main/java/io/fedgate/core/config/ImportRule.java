package io.fedgate.core.config;

import static java.util.Objects.requireNonNull;

/**
 * One entry of an {@code ImportedServiceSet}'s {@code spec.importRules} (only {@code type: NameSelector} exists).
 *
 * @param nameSelector selects exported services by the namespace/name the peer exports them as, and renames them
 * @param domainSuffix this rule's domain suffix, or empty to use the set's
 * @param importAsLocal whether imported services take the ordinary local name
 *     {@code <name>.<namespace>.svc.<clusterDomain>} (merging with a local service of that name); needs a fixed alias
 *     namespace
 */
public record ImportRule(ServiceNameMapping nameSelector, String domainSuffix, boolean importAsLocal) {

    public ImportRule {
        requireNonNull(nameSelector, "nameSelector");
        requireNonNull(domainSuffix, "domainSuffix");
        if (importAsLocal && !nameSelector.hasFixedAliasNamespace()) {
            throw new IllegalArgumentException("importAsLocal needs a fixed alias namespace: " + nameSelector);
        }
    }

    @Override
    public String toString() {
        return "NameSelector " + nameSelector
                + (importAsLocal ? " importAsLocal" : "")
                + (domainSuffix.isEmpty() ? "" : " domainSuffix " + domainSuffix);
    }
}
