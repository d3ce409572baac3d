package io.fedgate.core.cli;

import java.io.PrintStream;
import java.nio.file.Path;

import io.fedgate.core.config.ConfigException;
import io.fedgate.core.config.ConfigLoader;
import io.fedgate.core.config.ConfigOptions;
import io.fedgate.core.config.ConfigProblem;
import io.fedgate.core.config.FederationConfig;

/**
 * {@code fedgate validate}: loads a config directory exactly as a gateway would and prints either every problem
 * (exit 1) or a summary of what it loaded: peers with their effective defaults, exports, imports, services
 * (exit 0). Warnings are printed in both cases.
 */
public final class ValidateCommand {
    /** Exit status for a valid config. */
    public static final int OK = 0;
    /** Exit status for an invalid config. */
    public static final int INVALID = 1;
    /** Exit status for a bad command line. */
    public static final int USAGE = 2;

    private ValidateCommand() {
    }

    public static void main(String[] args) {
        System.exit(run(System.out, System.err, args));
    }

    /** Runs the command, printing to {@code out} and {@code err}; returns the exit status. */
    public static int run(PrintStream out, PrintStream err, String... args) {
        CommandLine cli = new CommandLine("fedgate validate",
                "Loads a config directory as a gateway would; prints a summary, or every problem.")
                .option("config-dir", "DIR", null, "directory of Kubernetes YAML files")
                .option("namespace", "NS", null, "this mesh's control-plane namespace, e.g. red-mesh-system")
                .option("cluster-domain", "DOMAIN", ConfigOptions.DEFAULT_CLUSTER_DOMAIN,
                        "resolves services without EndpointSlices as <name>.<ns>.svc.DOMAIN");
        CommandLine.Parsed parsed = cli.parse(args);
        if (parsed.helpRequested()) {
            out.print(cli.usage());
            return OK;
        }
        if (!parsed.problems().isEmpty()) {
            parsed.problems().forEach(problem -> err.println(cli.command() + ": " + problem));
            err.println("(" + cli.command() + " --help lists the options)");
            return USAGE;
        }
        Path configDir = Path.of(parsed.value("config-dir"));
        ConfigOptions options;
        try {
            // Nothing-to-serve is checked below, after the summary, so an empty namespace still shows what was read.
            options = ConfigOptions.builder(parsed.value("namespace"))
                    .clusterDomain(parsed.value("cluster-domain"))
                    .requirePeers(false)
                    .build();
        } catch (IllegalArgumentException e) {
            err.println(cli.command() + ": " + e.getMessage());
            return USAGE;
        }
        FederationConfig config;
        try {
            config = new ConfigLoader(options).load(configDir);
        } catch (ConfigException e) {
            e.warnings().forEach(warning -> err.println("warning: " + warning));
            return invalid(err, configDir, e);
        }
        out.print(config.describe());
        try {
            config.checkServable();
        } catch (ConfigException e) {
            // The summary above already listed the warnings.
            return invalid(err, configDir, e);
        }
        out.println("valid: " + configDir + " (namespace " + options.namespace() + ")");
        return OK;
    }

    private static int invalid(PrintStream err, Path configDir, ConfigException e) {
        for (ConfigProblem problem : e.problems()) {
            err.println("error: " + problem);
        }
        int count = e.problems().size();
        err.println("invalid: " + count + (count == 1 ? " problem" : " problems") + " in " + configDir);
        return INVALID;
    }
}
