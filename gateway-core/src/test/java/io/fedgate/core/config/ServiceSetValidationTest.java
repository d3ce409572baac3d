package io.fedgate.core.config;

import static io.fedgate.core.config.ConfigFixtures.errors;
import static io.fedgate.core.config.ConfigFixtures.validGreen;
import static io.fedgate.core.config.ConfigFixtures.warnings;
import static io.fedgate.core.config.ConfigFixtures.with;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** ExportedServiceSet and ImportedServiceSet problems, with their full messages. */
class ServiceSetValidationTest {
    private static final String EXPORTS_AT = "sets/exports.yaml doc 1 ExportedServiceSet red-mesh-system/green-mesh: ";
    private static final String IMPORTS_AT = "sets/imports.yaml doc 1 ImportedServiceSet red-mesh-system/green-mesh: ";

    private static String exports(String spec) {
        return "apiVersion: federation.maistra.io/v1\nkind: ExportedServiceSet\nmetadata:\n  name: green-mesh\n"
                + "  namespace: red-mesh-system\nspec:\n" + ConfigFixtures.indent(spec, "  ");
    }

    private static String imports(String spec) {
        return "apiVersion: federation.maistra.io/v1\nkind: ImportedServiceSet\nmetadata:\n  name: green-mesh\n"
                + "  namespace: red-mesh-system\nspec:\n" + ConfigFixtures.indent(spec, "  ");
    }

    static Stream<Arguments> exportErrors() {
        String rule0 = EXPORTS_AT + "spec.exportRules[0]";
        return Stream.of(
                Arguments.of("missing type", "exportRules:\n- nameSelector:\n    name: ratings\n",
                        List.of(rule0 + ".type: is required")),
                Arguments.of("unknown type", "exportRules:\n- type: RegexSelector\n",
                        List.of(rule0 + ".type: 'RegexSelector' is not an export rule type (NameSelector or LabelSelector)")),
                Arguments.of("name selector missing", "exportRules:\n- type: NameSelector\n",
                        List.of(rule0 + ".nameSelector: is required for type NameSelector")),
                Arguments.of("partial wildcard and bad namespace",
                        "exportRules:\n- type: NameSelector\n  nameSelector:\n    namespace: Bookinfo\n    name: rat*\n",
                        List.of(rule0 + ".nameSelector.namespace: 'Bookinfo' is not a DNS-1123 label (lowercase letters, "
                                        + "digits and '-', starting and ending with a letter or digit, at most 63 characters)",
                                rule0 + ".nameSelector.name: 'rat*' is not a name or '*' (partial wildcards are not supported)")),
                Arguments.of("alias not a mapping",
                        "exportRules:\n- type: NameSelector\n  nameSelector:\n    name: ratings\n    alias: red-ratings\n",
                        List.of(rule0 + ".nameSelector.alias: expected a mapping, got a string ('red-ratings')")),
                Arguments.of("label selector without selector",
                        "exportRules:\n- type: LabelSelector\n  labelSelector:\n    namespace: bookinfo\n",
                        List.of(rule0 + ".labelSelector.selector: is required (write {} to select every service of the "
                                + "namespace)")),
                Arguments.of("bad expressions", "exportRules:\n- type: LabelSelector\n  labelSelector:\n    selector:\n"
                                + "      matchLabels:\n        -app: ratings\n      matchExpressions:\n"
                                + "      - key: tier\n        operator: Equals\n"
                                + "      - key: tier\n        operator: In\n"
                                + "      - key: tier\n        operator: Exists\n        values: [web]\n",
                        List.of(rule0 + ".labelSelector.selector.matchLabels.-app: '-app' is not a label key (an optional "
                                        + "DNS subdomain and '/', then at most 63 letters, digits, '-', '_' or '.', "
                                        + "starting and ending with a letter or digit)",
                                rule0 + ".labelSelector.selector.matchExpressions[0].operator: 'Equals' is not an "
                                        + "operator (In, NotIn, Exists or DoesNotExist)",
                                rule0 + ".labelSelector.selector.matchExpressions[1].values: must not be empty for "
                                        + "operator In",
                                rule0 + ".labelSelector.selector.matchExpressions[2].values: must be empty for "
                                        + "operator Exists")),
                Arguments.of("rules not a list", "exportRules:\n  type: NameSelector\n",
                        List.of(EXPORTS_AT + "spec.exportRules: expected a list, got a mapping")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("exportErrors")
    void reportsExportRuleErrors(String description, String spec, List<String> expected) {
        assertThat(errors(with(validGreen(), "sets/exports.yaml", exports(spec)))).containsExactlyElementsOf(expected);
    }

    static Stream<Arguments> importErrors() {
        String rule0 = IMPORTS_AT + "spec.importRules[0]";
        return Stream.of(
                Arguments.of("label selectors cannot import", "importRules:\n- type: LabelSelector\n"
                                + "  nameSelector:\n    namespace: bookinfo\n",
                        List.of(rule0 + ".type: 'LabelSelector' is not an import rule type (only NameSelector)")),
                Arguments.of("name selector missing", "importRules:\n- type: NameSelector\n",
                        List.of(rule0 + ".nameSelector: is required for type NameSelector")),
                Arguments.of("zone without region", "locality:\n  zone: us-west-1a\n",
                        List.of(IMPORTS_AT + "spec.locality.zone: needs spec.locality.region")),
                Arguments.of("subzone without zone", "locality:\n  region: us-west\n  subzone: rack-3\n",
                        List.of(IMPORTS_AT + "spec.locality.subzone: needs spec.locality.zone and spec.locality.region")),
                Arguments.of("slash in locality", "locality:\n  region: us/west\n",
                        List.of(IMPORTS_AT + "spec.locality.region: 'us/west' must not contain '/'")),
                Arguments.of("bad domain suffix", "domainSuffix: Green_Imports.local\n",
                        List.of(IMPORTS_AT + "spec.domainSuffix: 'Green_Imports.local' is not a DNS-1123 subdomain "
                                + "(dot-separated lowercase labels of letters, digits and '-', at most 253 characters)")),
                Arguments.of("importAsLocal without alias namespace", "importRules:\n- type: NameSelector\n"
                                + "  importAsLocal: true\n  nameSelector:\n    namespace: bookinfo\n    name: ratings\n",
                        List.of(rule0 + ".nameSelector.alias.namespace: importAsLocal needs a fixed alias namespace "
                                + "(not empty or '*')")),
                Arguments.of("importAsLocal with wildcard alias namespace", "importRules:\n- type: NameSelector\n"
                                + "  nameSelector:\n    namespace: bookinfo\n    importAsLocal: true\n"
                                + "    alias:\n      namespace: '*'\n",
                        List.of(rule0 + ".nameSelector.alias.namespace: importAsLocal needs a fixed alias namespace "
                                + "(not empty or '*')")),
                Arguments.of("importAsLocal given twice, differently", "importRules:\n- type: NameSelector\n"
                                + "  importAsLocal: true\n  nameSelector:\n    importAsLocal: false\n"
                                + "    alias:\n      namespace: bookinfo\n",
                        List.of(rule0 + ".nameSelector.importAsLocal: false conflicts with "
                                + "spec.importRules[0].importAsLocal (true)")),
                Arguments.of("importAsLocal not a boolean", "importRules:\n- type: NameSelector\n"
                                + "  importAsLocal: yes\n  nameSelector:\n    namespace: bookinfo\n",
                        List.of(rule0 + ".importAsLocal: expected a boolean (true or false), got a string ('yes')")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("importErrors")
    void reportsImportRuleErrors(String description, String spec, List<String> expected) {
        assertThat(errors(with(validGreen(), "sets/imports.yaml", imports(spec)))).containsExactlyElementsOf(expected);
    }

    @Test
    void readsBothSetsWithDefaults() {
        var files = with(with(validGreen(), "sets/exports.yaml", exports("exportRules:\n- type: NameSelector\n"
                + "  nameSelector:\n    namespace: bookinfo\n    name: ratings\n"
                + "- type: LabelSelector\n  labelSelector:\n    selector: {}\n"
                + "    aliases:\n    - namespace: bookinfo\n      alias:\n        namespace: shared\n")),
                "sets/imports.yaml", imports("locality:\n  region: us-west\n  zone: us-west-1a\n"
                        + "importRules:\n- type: NameSelector\n  importAsLocal: true\n  nameSelector:\n"
                        + "    namespace: bookinfo\n    alias:\n      namespace: bookinfo\n"));

        FederationConfig config = ConfigFixtures.load(files);

        ExportedServiceSet exported = config.exportedServiceSet("green-mesh").orElseThrow();
        assertThat(exported.rules()).containsExactly(
                new ExportRule.ByName(ServiceNameMapping.of("bookinfo", "ratings")),
                new ExportRule.ByLabels("*", LabelSelector.EVERYTHING,
                        List.of(new ServiceNameMapping("bookinfo", "*", "shared", "*"))));
        ImportedServiceSet imported = config.importedServiceSet("green-mesh").orElseThrow();
        assertThat(imported.domainSuffix()).isEqualTo("svc.green-mesh-imports.local");
        assertThat(imported.domainSuffixDefaulted()).isTrue();
        assertThat(imported.locality()).contains(new Locality("us-west", "us-west-1a", ""));
        assertThat(imported.rules()).containsExactly(
                new ImportRule(new ServiceNameMapping("bookinfo", "*", "bookinfo", "*"), "", true));
        assertThat(config.warnings()).isEmpty();
    }

    @Test
    void domainSuffixBesideImportAsLocalIsIgnoredWithAWarning() {
        var files = with(validGreen(), "sets/imports.yaml", imports("importRules:\n- type: NameSelector\n"
                + "  importAsLocal: true\n  domainSuffix: green.imports\n  nameSelector:\n    alias:\n"
                + "      namespace: bookinfo\n"));

        assertThat(warnings(files)).containsExactly(
                "sets/imports.yaml doc 1 ImportedServiceSet red-mesh-system/green-mesh: spec.importRules[0].domainSuffix: "
                        + "ignored because importAsLocal is true");
    }

    @Test
    void setNamingNoPeerIsAWarning() {
        var files = with(validGreen(), "sets/exports.yaml", exports("exportRules: []\n").replace("green-mesh", "blue-mesh"));

        assertThat(warnings(files)).containsExactly("sets/exports.yaml doc 1 ExportedServiceSet red-mesh-system/"
                + "blue-mesh: metadata.name: no ServiceMeshPeer named 'blue-mesh' in namespace red-mesh-system; "
                + "this ExportedServiceSet is unused");
    }

    @Test
    void duplicateSetsAreErrors() {
        String set = exports("exportRules: []\n");
        var files = with(validGreen(), "sets/exports.yaml", set + "---\n" + set);

        assertThat(errors(files)).containsExactly("sets/exports.yaml doc 2 ExportedServiceSet red-mesh-system/"
                + "green-mesh: metadata.name: duplicate ExportedServiceSet red-mesh-system/green-mesh, first defined in "
                + "sets/exports.yaml doc 1");
    }
}
