package io.fedgate.core.gateway;

import java.util.List;

/** A gateway cannot start; carries every reason found, each a complete sentence naming its source. */
public final class StartupException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final List<String> problems;

    public StartupException(List<String> problems) {
        super(String.join("\n", problems));
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("a StartupException needs at least one problem");
        }
        this.problems = List.copyOf(problems);
    }

    /** Every reason, in the order found. */
    public List<String> problems() {
        return problems;
    }
}
