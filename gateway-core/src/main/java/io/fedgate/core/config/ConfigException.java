package io.fedgate.core.config;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.stream.Collectors;

/**
 * The configuration was rejected. Carries every error found (never just the first) and the warnings found along the
 * way; the message lists the errors one per line, each as {@link ConfigProblem#toString()} renders it.
 */
public final class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient List<ConfigProblem> problems;
    private final transient List<ConfigProblem> warnings;

    /**
     * @param problems the errors, at least one, in report order
     * @param warnings warnings found alongside, possibly empty
     */
    public ConfigException(List<ConfigProblem> problems, List<ConfigProblem> warnings) {
        super(render(problems));
        this.problems = List.copyOf(problems);
        this.warnings = List.copyOf(requireNonNull(warnings, "warnings"));
    }

    private static String render(List<ConfigProblem> problems) {
        requireNonNull(problems, "problems");
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("a ConfigException needs at least one problem");
        }
        return problems.stream().map(ConfigProblem::toString).collect(Collectors.joining("\n"));
    }

    /** The errors that rejected the configuration, in report order (by file, then document). */
    public List<ConfigProblem> problems() {
        return problems;
    }

    /** Warnings found alongside the errors. */
    public List<ConfigProblem> warnings() {
        return warnings;
    }
}
