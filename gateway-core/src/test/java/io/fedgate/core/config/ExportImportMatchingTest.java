package io.fedgate.core.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import io.fedgate.core.config.LabelSelector.Operator;
import io.fedgate.core.config.LabelSelector.Requirement;

/** The pure matching of export and import rules (federation-protocol.md section 3). */
class ExportImportMatchingTest {
    private static final Service RATINGS = service("bookinfo", "ratings", Map.of("app", "ratings", "export", "true"));
    private static final Service REVIEWS = service("bookinfo", "reviews", Map.of("app", "reviews", "tier", "web"));
    private static final Service DETAILS = service("shop", "details", Map.of("app", "details"));

    private static Service service(String namespace, String name, Map<String, String> labels) {
        return new Service(namespace, name, labels, Map.of(), List.of(ServicePort.tcp("http", 9080)));
    }

    private static ExportedServiceSet exports(ExportRule... rules) {
        return new ExportedServiceSet("green-mesh", "red-mesh-system", List.of(rules));
    }

    private static Optional<String> exportedHost(ExportedServiceSet set, Service service) {
        return set.export(service).map(ExportedService::hostname);
    }

    @Test
    void nameSelectorExportsUnderThePeersExportDomain() {
        ExportedServiceSet set = exports(new ExportRule.ByName(ServiceNameMapping.of("bookinfo", "ratings")));

        assertThat(set.export(RATINGS)).contains(new ExportedService(RATINGS.key(),
                new NamespacedName("bookinfo", "ratings"), "ratings.bookinfo.svc.green-mesh-exports.local"));
        assertThat(set.export(REVIEWS)).isEmpty();
    }

    @Test
    void wildcardsAndEmptyPartsMatchAnything() {
        ExportedServiceSet anyNamespace = exports(new ExportRule.ByName(ServiceNameMapping.of("*", "details")));
        ExportedServiceSet wholeNamespace = exports(new ExportRule.ByName(ServiceNameMapping.of("bookinfo", "")));

        assertThat(exportedHost(anyNamespace, DETAILS)).contains("details.shop.svc.green-mesh-exports.local");
        assertThat(exportedHost(wholeNamespace, REVIEWS)).contains("reviews.bookinfo.svc.green-mesh-exports.local");
        assertThat(exportedHost(wholeNamespace, DETAILS)).isEmpty();
    }

    @Test
    void aliasRenamesAndWildcardAliasPartsKeepTheOriginal() {
        ExportedServiceSet both = exports(new ExportRule.ByName(
                new ServiceNameMapping("bookinfo", "ratings", "shared", "red-ratings")));
        ExportedServiceSet namespaceOnly = exports(new ExportRule.ByName(
                new ServiceNameMapping("bookinfo", "*", "shared", "*")));

        assertThat(exportedHost(both, RATINGS)).contains("red-ratings.shared.svc.green-mesh-exports.local");
        assertThat(exportedHost(namespaceOnly, REVIEWS)).contains("reviews.shared.svc.green-mesh-exports.local");
    }

    @Test
    void firstMatchingRuleWins() {
        ExportedServiceSet set = exports(
                new ExportRule.ByName(new ServiceNameMapping("bookinfo", "ratings", "first", "")),
                new ExportRule.ByName(new ServiceNameMapping("bookinfo", "*", "second", "")));

        assertThat(exportedHost(set, RATINGS)).contains("ratings.first.svc.green-mesh-exports.local");
        assertThat(exportedHost(set, REVIEWS)).contains("reviews.second.svc.green-mesh-exports.local");
    }

    @Test
    void labelSelectorMatchesLabelsWithinItsNamespace() {
        ExportedServiceSet set = exports(new ExportRule.ByLabels("bookinfo",
                new LabelSelector(Map.of("export", "true"), List.of()), List.of()));

        assertThat(exportedHost(set, RATINGS)).contains("ratings.bookinfo.svc.green-mesh-exports.local");
        assertThat(set.export(REVIEWS)).isEmpty();
        assertThat(exports(new ExportRule.ByLabels("shop", new LabelSelector(Map.of("export", "true"), List.of()),
                List.of())).export(RATINGS)).isEmpty();
    }

    @Test
    void labelSelectorAliasesApplyByNameAndTheFirstMatchingAliasWins() {
        ExportedServiceSet set = exports(new ExportRule.ByLabels("*", LabelSelector.EVERYTHING, List.of(
                new ServiceNameMapping("bookinfo", "ratings", "", "red-ratings"),
                new ServiceNameMapping("bookinfo", "*", "shared", ""))));

        assertThat(exportedHost(set, RATINGS)).contains("red-ratings.bookinfo.svc.green-mesh-exports.local");
        assertThat(exportedHost(set, REVIEWS)).contains("reviews.shared.svc.green-mesh-exports.local");
        assertThat(exportedHost(set, DETAILS)).contains("details.shop.svc.green-mesh-exports.local");
    }

    @Test
    void matchExpressionsFollowKubernetesSemantics() {
        Map<String, String> labels = Map.of("tier", "web", "app", "reviews");

        assertThat(new Requirement("tier", Operator.IN, List.of("web", "api")).matches(labels)).isTrue();
        assertThat(new Requirement("tier", Operator.IN, List.of("api")).matches(labels)).isFalse();
        assertThat(new Requirement("tier", Operator.NOT_IN, List.of("api")).matches(labels)).isTrue();
        assertThat(new Requirement("zone", Operator.NOT_IN, List.of("a")).matches(labels)).isTrue();
        assertThat(new Requirement("tier", Operator.EXISTS, List.of()).matches(labels)).isTrue();
        assertThat(new Requirement("tier", Operator.DOES_NOT_EXIST, List.of()).matches(labels)).isFalse();

        LabelSelector selector = new LabelSelector(Map.of("app", "reviews"),
                List.of(new Requirement("tier", Operator.IN, List.of("web"))));
        assertThat(selector.matches(labels)).isTrue();
        assertThat(selector.matches(Map.of("app", "reviews"))).isFalse();
        assertThat(selector).hasToString("app=reviews,tier in (web)");
    }

    @Test
    void exportAllListsExportedServicesByHostname() {
        ExportedServiceSet set = exports(new ExportRule.ByName(ServiceNameMapping.of("bookinfo", "*")));

        assertThat(set.exportAll(List.of(REVIEWS, DETAILS, RATINGS))).extracting(ExportedService::hostname)
                .containsExactly("ratings.bookinfo.svc.green-mesh-exports.local",
                        "reviews.bookinfo.svc.green-mesh-exports.local");
    }

    private static ImportedServiceSet imports(String domainSuffix, ImportRule... rules) {
        return new ImportedServiceSet("green-mesh", "red-mesh-system",
                domainSuffix.isEmpty() ? ImportedServiceSet.defaultDomainSuffix("green-mesh") : domainSuffix,
                domainSuffix.isEmpty(), Optional.empty(), List.of(rules), "cluster.local");
    }

    @Test
    void importUsesTheDefaultDomainSuffix() {
        ImportedServiceSet set = imports("", new ImportRule(ServiceNameMapping.of("bookinfo", "*"), "", false));

        assertThat(set.importService("ratings", "bookinfo")).contains(new ImportedService(
                new NamespacedName("bookinfo", "ratings"), new NamespacedName("bookinfo", "ratings"),
                "ratings.bookinfo.svc.green-mesh-imports.local", false));
        assertThat(set.importService("ratings", "shop")).isEmpty();
    }

    @Test
    void importAppliesAliasAndTheRuleOrSetDomainSuffix() {
        ImportedServiceSet set = imports("green.imported",
                new ImportRule(new ServiceNameMapping("bookinfo", "ratings", "remote", "green-ratings"), "", false),
                new ImportRule(ServiceNameMapping.of("bookinfo", "*"), "rule.example", false),
                new ImportRule(ServiceNameMapping.of("*", "*"), "", false));

        assertThat(set.importService("ratings", "bookinfo")).map(ImportedService::hostname)
                .contains("green-ratings.remote.green.imported");
        assertThat(set.importService("reviews", "bookinfo")).map(ImportedService::hostname)
                .contains("reviews.bookinfo.rule.example");
        assertThat(set.importService("details", "shop")).map(ImportedService::hostname)
                .contains("details.shop.green.imported");
    }

    @Test
    void importAsLocalTakesTheOrdinaryLocalName() {
        ImportedServiceSet set = imports("",
                new ImportRule(new ServiceNameMapping("bookinfo", "*", "bookinfo", ""), "", true));

        assertThat(set.importService("ratings", "bookinfo")).contains(new ImportedService(
                new NamespacedName("bookinfo", "ratings"), new NamespacedName("bookinfo", "ratings"),
                "ratings.bookinfo.svc.cluster.local", true));
    }
}
