package io.fedgate.core.internal.config;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.fedgate.core.config.ConfigProblem;

/**
 * Collects problems as they are found and hands them back in report order: by file (in reading order), then
 * document or line, then the order they were found in. Cross-resource problems found late thus still appear next to
 * the resource they concern. Not thread-safe; one sink serves one validation.
 */
public final class ProblemSink {
    private final Map<String, Integer> fileOrder = new HashMap<>();
    private final List<ConfigProblem> problems = new ArrayList<>();

    /** @param files the files in reading order; problems of other files sort after them, problems without one last */
    public ProblemSink(List<String> files) {
        for (String file : files) {
            fileOrder.putIfAbsent(file, fileOrder.size());
        }
    }

    /** Records a problem. */
    public void add(ConfigProblem problem) {
        problems.add(problem);
    }

    /** Records problems. */
    public void addAll(List<ConfigProblem> more) {
        more.forEach(this::add);
    }

    /** The errors, in report order. */
    public List<ConfigProblem> errors() {
        return sorted(true);
    }

    /** The warnings, in report order. */
    public List<ConfigProblem> warnings() {
        return sorted(false);
    }

    /** Whether any error was recorded. */
    public boolean hasErrors() {
        return problems.stream().anyMatch(ConfigProblem::isError);
    }

    private List<ConfigProblem> sorted(boolean errors) {
        // List.sort is stable, so problems of one document keep the order they were found in.
        List<ConfigProblem> selected = new ArrayList<>();
        for (ConfigProblem problem : problems) {
            if (problem.isError() == errors) {
                selected.add(problem);
            }
        }
        selected.sort(Comparator.comparingInt(this::fileRank).thenComparingInt(ProblemSink::positionInFile));
        return List.copyOf(selected);
    }

    /** The document; a syntax error, which ends its file, after every document read before it. */
    private static int positionInFile(ConfigProblem problem) {
        return problem.document() > 0 ? problem.document() : Integer.MAX_VALUE;
    }

    private int fileRank(ConfigProblem problem) {
        if (problem.file().isEmpty()) {
            return Integer.MAX_VALUE;
        }
        return fileOrder.getOrDefault(problem.file(), Integer.MAX_VALUE - 1);
    }
}
