package io.fedgate.core.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;

class CommandLineTest {

    private static CommandLine.Parsed parse(String... args) {
        return GatewayOptions.commandLine("ingress", "test").parse(args);
    }

    @Test
    void appliesDefaultsAndBothValueForms() {
        CommandLine.Parsed parsed = parse("--config-dir", "/cfg", "--namespace=red-mesh-system", "--name", "ingress-green-mesh");
        GatewayOptions options = GatewayOptions.from(parsed);

        assertThat(parsed.problems()).isEmpty();
        assertThat(options.configDir()).isEqualTo(Path.of("/cfg"));
        assertThat(options.namespace()).isEqualTo("red-mesh-system");
        assertThat(options.certChain()).isEqualTo(Path.of("/etc/certs/cert-chain.pem"));
        assertThat(options.key()).isEqualTo(Path.of("/etc/certs/key.pem"));
        assertThat(options.rootCert()).isEqualTo(Path.of("/etc/certs/root-cert.pem"));
        assertThat(options.servicePort()).isEqualTo(15443);
        assertThat(options.discoveryPort()).isEqualTo(8188);
        assertThat(options.adminPort()).isEqualTo(15000);
        assertThat(options.bind()).isEqualTo("0.0.0.0");
        assertThat(options.clusterDomain()).isEqualTo("cluster.local");
    }

    @Test
    void reportsEveryProblemAtOnce() {
        CommandLine.Parsed parsed = parse("--config-dir", "/cfg", "--bogus", "x", "--service-port", "70000",
                "--admin-port", "abc", "stray", "--key");
        GatewayOptions options = GatewayOptions.from(parsed);

        assertThat(options).isNull();
        assertThat(parsed.problems()).containsExactlyInAnyOrder(
                "unknown option --bogus",
                "unexpected argument 'x'",
                "unexpected argument 'stray'",
                "--key needs a value (FILE)",
                "--namespace NS is required",
                "--name NAME is required",
                "--service-port: '70000' is not a port (0-65535)",
                "--admin-port: 'abc' is not a port (0-65535)");
    }

    @Test
    void rejectsRepeatedOption() {
        CommandLine.Parsed parsed = parse("--config-dir", "/a", "--config-dir", "/b", "--namespace", "n", "--name", "g");
        assertThat(parsed.problems()).containsExactly("--config-dir is given more than once");
    }

    @Test
    void helpSuppressesRequiredAndListsDefaults() {
        CommandLine cli = GatewayOptions.commandLine("egress", "sends traffic to a peer");
        CommandLine.Parsed parsed = cli.parse("--help");

        assertThat(parsed.helpRequested()).isTrue();
        assertThat(parsed.problems()).isEmpty();
        assertThat(cli.usage())
                .startsWith("usage: fedgate egress [options]\nsends traffic to a peer")
                .contains("--service-port PORT", "(default: 15443)", "(default: /etc/certs/key.pem)", "(required)")
                .contains("spec.gateways.egress.name");
    }

    @Test
    void undeclaredOptionIsAProgrammingError() {
        assertThatThrownBy(() -> parse().value("nope")).isInstanceOf(IllegalArgumentException.class);
    }
}
