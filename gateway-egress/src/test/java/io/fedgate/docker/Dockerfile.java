package io.fedgate.docker;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * A Dockerfile read the way the builder reads it, enough to check what an image ends up with: comments and blank
 * lines dropped, {@code \} continuations joined, {@code ARG}s before the first {@code FROM} substituted into
 * {@code FROM} lines, and stages with their bases, so a target inherits {@code USER}, {@code EXPOSE},
 * {@code HEALTHCHECK} and {@code ENTRYPOINT} from the stage it is built {@code FROM}.
 */
final class Dockerfile {
    /** One instruction: its keyword in upper case, the rest of its logical line, and its first physical line. */
    record Instruction(String keyword, String arguments, int line) {
    }

    /** One {@code FROM ... [AS name]} stage and its instructions after the {@code FROM}. */
    record Stage(String name, String from, List<Instruction> instructions) {
    }

    private final Path path;
    private final Map<String, Stage> stages;

    private Dockerfile(Path path, Map<String, Stage> stages) {
        this.path = path;
        this.stages = stages;
    }

    static Dockerfile read(Path path) {
        try {
            return parse(path, Files.readAllLines(path));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path, e);
        }
    }

    static Dockerfile parse(Path path, List<String> lines) {
        Map<String, String> globalArgs = new LinkedHashMap<>();
        Map<String, Stage> stages = new LinkedHashMap<>();
        List<Instruction> current = null;
        for (Instruction instruction : instructions(lines)) {
            switch (instruction.keyword()) {
                case "ARG" -> {
                    if (current == null) {
                        String[] declaration = instruction.arguments().split("=", 2);
                        globalArgs.put(declaration[0].trim(), declaration.length > 1 ? declaration[1].trim() : "");
                    } else {
                        current.add(instruction);
                    }
                }
                case "FROM" -> {
                    String[] words = substitute(instruction.arguments(), globalArgs).split("\\s+");
                    String name = words.length >= 3 && words[words.length - 2].equalsIgnoreCase("AS")
                            ? words[words.length - 1] : "stage-" + stages.size();
                    current = new ArrayList<>();
                    stages.put(name, new Stage(name, words[0], current));
                }
                default -> {
                    if (current == null) {
                        throw new IllegalArgumentException(path + " line " + instruction.line() + ": "
                                + instruction.keyword() + " before the first FROM");
                    }
                    current.add(instruction);
                }
            }
        }
        Map<String, Stage> frozen = new LinkedHashMap<>();
        stages.forEach((name, stage) -> frozen.put(name,
                new Stage(name, stage.from(), List.copyOf(stage.instructions()))));
        return new Dockerfile(path, Collections.unmodifiableMap(frozen));
    }

    private static List<Instruction> instructions(List<String> lines) {
        List<Instruction> instructions = new ArrayList<>();
        StringBuilder logical = new StringBuilder();
        int start = 0;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            String trimmed = line.strip();
            if (trimmed.startsWith("#") || (trimmed.isEmpty() && logical.isEmpty())) {
                continue; // comments may sit between continued lines, too
            }
            if (logical.isEmpty()) {
                start = i + 1;
            }
            boolean continued = trimmed.endsWith("\\");
            logical.append(continued ? trimmed.substring(0, trimmed.length() - 1) : trimmed).append(' ');
            if (!continued) {
                String text = logical.toString().strip();
                logical.setLength(0);
                if (!text.isEmpty()) {
                    String[] parts = text.split("\\s+", 2);
                    instructions.add(new Instruction(parts[0].toUpperCase(Locale.ROOT),
                            parts.length > 1 ? parts[1] : "", start));
                }
            }
        }
        return instructions;
    }

    private static String substitute(String text, Map<String, String> args) {
        String result = text;
        for (Map.Entry<String, String> arg : args.entrySet()) {
            result = result.replace("${" + arg.getKey() + "}", arg.getValue())
                    .replace("$" + arg.getKey(), arg.getValue());
        }
        return result;
    }

    Path path() {
        return path;
    }

    Map<String, Stage> stages() {
        return stages;
    }

    Optional<Stage> stage(String name) {
        return Optional.ofNullable(stages.get(name));
    }

    /** The base image a target finally rests on, following {@code FROM <stage>} links. */
    String baseImage(String target) {
        Stage stage = require(target);
        while (stages.containsKey(stage.from())) {
            stage = stages.get(stage.from());
        }
        return stage.from();
    }

    /**
     * The instructions {@code keyword} that apply to {@code target}: those of the stages it is built {@code FROM},
     * then its own, in order.
     */
    List<Instruction> effective(String target, String keyword) {
        List<Stage> chain = new ArrayList<>();
        for (Stage stage = require(target); stage != null; stage = stages.get(stage.from())) {
            chain.add(0, stage);
        }
        List<Instruction> found = new ArrayList<>();
        for (Stage stage : chain) {
            stage.instructions().stream().filter(instruction -> instruction.keyword().equals(keyword))
                    .forEach(found::add);
        }
        return found;
    }

    /** The last {@code keyword} instruction that applies to {@code target}, the one the image keeps. */
    Optional<Instruction> last(String target, String keyword) {
        List<Instruction> found = effective(target, keyword);
        return found.isEmpty() ? Optional.empty() : Optional.of(found.get(found.size() - 1));
    }

    /** Every port {@code EXPOSE}d to {@code target}, without protocol suffixes. */
    List<Integer> exposedPorts(String target) {
        List<Integer> ports = new ArrayList<>();
        for (Instruction expose : effective(target, "EXPOSE")) {
            for (String port : expose.arguments().split("\\s+")) {
                ports.add(Integer.parseInt(port.replaceFirst("/(tcp|udp)$", "")));
            }
        }
        return ports;
    }

    /** The exec form ({@code ["a", "b"]}) of an instruction's arguments, as a list. */
    static List<String> execForm(String arguments) {
        requireNonNull(arguments, "arguments");
        if (!arguments.startsWith("[")) {
            throw new IllegalArgumentException("not in exec form (a JSON array): " + arguments);
        }
        // JSON is YAML: the flow sequence of double-quoted strings reads the same, escapes included.
        Object parsed = new Load(LoadSettings.builder().build()).loadFromString(arguments);
        List<String> words = new ArrayList<>();
        for (Object word : Yaml.list(parsed)) {
            words.add(String.valueOf(word));
        }
        return words;
    }

    /** {@code COPY} instructions of {@code stage} that copy from the build context (not {@code --from}): sources. */
    List<String> contextSources(String stage) {
        List<String> sources = new ArrayList<>();
        for (Instruction instruction : require(stage).instructions()) {
            if (!instruction.keyword().equals("COPY") && !instruction.keyword().equals("ADD")) {
                continue;
            }
            List<String> words = new ArrayList<>(List.of(instruction.arguments().split("\\s+")));
            if (words.stream().anyMatch(word -> word.startsWith("--from="))) {
                continue;
            }
            words.removeIf(word -> word.startsWith("--"));
            sources.addAll(words.subList(0, words.size() - 1)); // the last word is the destination
        }
        return sources;
    }

    private Stage require(String name) {
        Stage stage = stages.get(name);
        if (stage == null) {
            throw new IllegalArgumentException(path + ": no stage " + name + " (stages: " + stages.keySet() + ")");
        }
        return stage;
    }
}
