package io.fedgate.docker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A {@code .dockerignore} as the Docker builder applies it to context paths: Go {@code filepath.Match} patterns
 * plus {@code **}, matched against the path relative to the context; a pattern also matches everything under a
 * directory it matches; the last matching pattern decides, and a leading {@code !} lets a path back in.
 */
final class DockerIgnore {
    private record Rule(Pattern pattern, boolean exception, String text) {
    }

    private final List<Rule> rules;

    private DockerIgnore(List<Rule> rules) {
        this.rules = List.copyOf(rules);
    }

    /** The rules of {@code file}; none when it does not exist. */
    static DockerIgnore read(Path file) {
        if (!Files.exists(file)) {
            return new DockerIgnore(List.of());
        }
        try {
            return parse(Files.readAllLines(file));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    static DockerIgnore parse(List<String> lines) {
        List<Rule> rules = new ArrayList<>();
        for (String line : lines) {
            String text = line.strip();
            if (text.isEmpty() || text.startsWith("#")) {
                continue;
            }
            boolean exception = text.startsWith("!");
            String pattern = (exception ? text.substring(1) : text).strip().replaceAll("^/+|/+$", "");
            rules.add(new Rule(Pattern.compile(regex(pattern) + "(/.*)?"), exception, text));
        }
        return new DockerIgnore(rules);
    }

    private static String regex(String pattern) {
        StringBuilder regex = new StringBuilder();
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (c == '*' && i + 1 < pattern.length() && pattern.charAt(i + 1) == '*') {
                // "**/" is any number of directories (none included); a final "**" is anything.
                boolean slash = i + 2 < pattern.length() && pattern.charAt(i + 2) == '/';
                regex.append(slash ? "(.*/)?" : ".*");
                i += slash ? 2 : 1;
            } else if (c == '*') {
                regex.append("[^/]*");
            } else if (c == '?') {
                regex.append("[^/]");
            } else {
                regex.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return regex.toString();
    }

    /** Whether the context path {@code relative} (with {@code /}) stays out of the build context. */
    boolean excludes(String relative) {
        boolean excluded = false;
        for (Rule rule : rules) {
            if (rule.pattern().matcher(relative).matches()) {
                excluded = !rule.exception();
            }
        }
        return excluded;
    }
}
