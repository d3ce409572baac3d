package io.fedgate.core.cli;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The options of one fedgate command, declared in one block and parsed from {@code --name value} or
 * {@code --name=value} arguments. Parsing collects every problem (unknown option, missing value,
 * bad number) so a user fixes a command line in one go.
 *
 * <pre>{@code
 * CommandLine cli = new CommandLine("fedgate validate", "check a config directory")
 *         .option("config-dir", "DIR", null, "directory of Kubernetes YAML files");
 * CommandLine.Parsed parsed = cli.parse(args);
 * }</pre>
 */
public final class CommandLine {

    private final String command;
    private final String summary;
    private final Map<String, Option> options = new LinkedHashMap<>();

    public CommandLine(String command, String summary) {
        this.command = requireNonNull(command, "command");
        this.summary = requireNonNull(summary, "summary");
    }

    /**
     * Declares an option taking a value.
     *
     * @param defaultValue the value when absent, or {@code null} when the option is required
     */
    public CommandLine option(String name, String metavar, String defaultValue, String help) {
        options.put(name, new Option(name, metavar, defaultValue, help, false, false, false));
        return this;
    }

    /** Declares an optional option taking a value, with no default. */
    public CommandLine optional(String name, String metavar, String help) {
        options.put(name, new Option(name, metavar, null, help, true, false, false));
        return this;
    }

    /** Declares an option without a value, e.g. {@code --keep-running}; {@link Parsed#declares} tells if given. */
    public CommandLine flag(String name, String help) {
        options.put(name, new Option(name, "", null, help, true, false, true));
        return this;
    }

    /** Declares a required option that may be given several times ({@link Parsed#values}). */
    public CommandLine repeatable(String name, String metavar, String help) {
        options.put(name, new Option(name, metavar, null, help, false, true, false));
        return this;
    }

    /** The command's name as the user types it, e.g. {@code fedgate ingress}. */
    public String command() {
        return command;
    }

    /** The {@code --help} text: a summary line and one line per option with its default. */
    public String usage() {
        StringBuilder text = new StringBuilder("usage: ").append(command).append(" [options]\n")
                .append(summary).append("\n\noptions:\n");
        for (Option option : options.values()) {
            String left = "  --" + option.name + (option.flag ? "" : " " + option.metavar);
            text.append(String.format("%-34s %s", left, option.help));
            if (option.defaultValue != null) {
                text.append(" (default: ").append(option.defaultValue).append(')');
            } else if (!option.optional) {
                text.append(" (required)");
            }
            text.append('\n');
        }
        text.append(String.format("%-34s %s%n", "  --help", "print this text"));
        return text.toString();
    }

    /** Parses {@code args}; check {@link Parsed#problems()} and {@link Parsed#helpRequested()} before use. */
    public Parsed parse(String... args) {
        Map<String, String> values = new LinkedHashMap<>();
        Map<String, List<String>> repeated = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        boolean help = false;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--help") || arg.equals("-h")) {
                help = true;
                continue;
            }
            if (!arg.startsWith("--")) {
                problems.add("unexpected argument '" + arg + "'");
                continue;
            }
            String name = arg.substring(2);
            String value = null;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            Option option = options.get(name);
            if (option == null) {
                problems.add("unknown option --" + name);
                continue;
            }
            if (option.flag) {
                if (value != null) {
                    problems.add("--" + name + " takes no value");
                } else if (values.put(name, "true") != null) {
                    problems.add("--" + name + " is given more than once");
                }
                continue;
            }
            if (value == null) {
                if (i + 1 >= args.length || args[i + 1].startsWith("--")) {
                    problems.add("--" + name + " needs a value (" + option.metavar + ")");
                    continue;
                }
                value = args[++i];
            }
            if (option.repeatable) {
                repeated.computeIfAbsent(name, n -> new ArrayList<>()).add(value);
                values.putIfAbsent(name, value);
            } else if (values.put(name, value) != null) {
                problems.add("--" + name + " is given more than once");
            }
        }
        for (Option option : options.values()) {
            if (!values.containsKey(option.name)) {
                if (option.defaultValue != null) {
                    values.put(option.name, option.defaultValue);
                } else if (!option.optional && !help) {
                    problems.add("--" + option.name + " " + option.metavar + " is required");
                }
            }
        }
        return new Parsed(this, values, repeated, problems, help);
    }

    private static final class Option {
        final String name;
        final String metavar;
        final String defaultValue;
        final String help;
        final boolean optional;
        final boolean repeatable;
        final boolean flag;

        Option(String name, String metavar, String defaultValue, String help, boolean optional, boolean repeatable,
               boolean flag) {
            this.name = requireNonNull(name, "name");
            this.metavar = requireNonNull(metavar, "metavar");
            this.defaultValue = defaultValue;
            this.help = requireNonNull(help, "help");
            this.optional = optional;
            this.repeatable = repeatable;
            this.flag = flag;
        }
    }

    /**
     * Parses a duration as operators write it: a number and a unit, {@code ms}, {@code s}, {@code m} or {@code h}
     * ({@code 500ms}, {@code 10s}, {@code 1h}).
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    public static Duration parseDuration(String text) {
        String value = text.trim();
        int unitStart = 0;
        while (unitStart < value.length() && Character.isDigit(value.charAt(unitStart))) {
            unitStart++;
        }
        if (unitStart == 0 || unitStart > 12) {
            throw new IllegalArgumentException("'" + text + "' is not a duration (e.g. 500ms, 10s, 5m, 1h)");
        }
        long amount = Long.parseLong(value.substring(0, unitStart));
        switch (value.substring(unitStart)) {
            case "ms":
                return Duration.ofMillis(amount);
            case "s":
                return Duration.ofSeconds(amount);
            case "m":
                return Duration.ofMinutes(amount);
            case "h":
                return Duration.ofHours(amount);
            default:
                throw new IllegalArgumentException("'" + text + "' is not a duration (e.g. 500ms, 10s, 5m, 1h)");
        }
    }

    /** The outcome of {@link #parse}: values (defaults applied) and every problem found. */
    public static final class Parsed {
        private final CommandLine commandLine;
        private final Map<String, String> values;
        private final Map<String, List<String>> repeated;
        private final List<String> problems;
        private final boolean helpRequested;

        Parsed(CommandLine commandLine, Map<String, String> values, Map<String, List<String>> repeated,
               List<String> problems, boolean helpRequested) {
            this.commandLine = commandLine;
            this.values = values;
            this.repeated = repeated;
            this.problems = problems;
            this.helpRequested = helpRequested;
        }

        public boolean helpRequested() {
            return helpRequested;
        }

        /** Problems found so far: parse problems, then those added by the typed accessors. */
        public List<String> problems() {
            return List.copyOf(problems);
        }

        /** A declared option's value, or its default; throws for an undeclared name (a programming error). */
        public String value(String name) {
            requireNonNull(name, "name");
            if (!commandLine.options.containsKey(name)) {
                throw new IllegalArgumentException("undeclared option: " + name);
            }
            return values.get(name);
        }

        /** Every value of a repeatable option, in the order given. */
        public List<String> values(String name) {
            value(name); // checks the option is declared
            return List.copyOf(repeated.getOrDefault(name, List.of()));
        }

        /** Whether the command declares {@code name}. */
        public boolean declares(String name) {
            return commandLine.options.containsKey(name);
        }

        /** Records a problem found while interpreting a value. */
        public void problem(String problem) {
            problems.add(problem);
        }

        /** Whether {@code name} was given (or has a default); for a {@link CommandLine#flag}, whether it was given. */
        public boolean has(String name) {
            return value(name) != null;
        }

        /** An optional option's value, empty when absent. */
        public Optional<String> optionalValue(String name) {
            return Optional.ofNullable(value(name));
        }

        /**
         * A port number option; 0 is accepted and means "any free port" (useful in tests).
         * A bad value is recorded as a problem and -1 returned.
         */
        public int port(String name) {
            String raw = value(name);
            if (raw == null) {
                return -1;
            }
            try {
                int port = Integer.parseInt(raw.trim());
                if (port >= 0 && port <= 65535) {
                    return port;
                }
            } catch (NumberFormatException ignored) {
                // reported below
            }
            problems.add("--" + name + ": '" + raw + "' is not a port (0-65535)");
            return -1;
        }

        /** A duration option ({@link CommandLine#parseDuration}); a bad value is recorded as a problem and null returned. */
        public Duration duration(String name) {
            String raw = value(name);
            if (raw == null) {
                return null;
            }
            try {
                return parseDuration(raw);
            } catch (IllegalArgumentException e) {
                problems.add("--" + name + ": " + e.getMessage());
                return null;
            }
        }

        /** A whole number option within [min, max]; a bad value is recorded as a problem and -1 returned. */
        public int integer(String name, int min, int max) {
            String raw = value(name);
            if (raw == null) {
                return -1;
            }
            try {
                int value = Integer.parseInt(raw.trim());
                if (value >= min && value <= max) {
                    return value;
                }
            } catch (NumberFormatException ignored) {
                // reported below
            }
            problems.add("--" + name + ": '" + raw + "' is not a whole number in " + min + "-" + max);
            return -1;
        }
    }
}
