package io.fedgate.core.internal.config;

import java.util.List;

import io.fedgate.core.config.ConfigProblem;
import io.fedgate.core.config.ConfigProblem.Severity;

/** The "is there anything to serve" check, shared by the validator and {@code FederationConfig.checkServable()}. */
public final class Servability {
    private Servability() {
    }

    /** The problems of a configuration read from {@code source} with this many files and peers; empty if servable. */
    public static List<ConfigProblem> problems(String source, String namespace, int fileCount, int peerCount) {
        if (fileCount == 0) {
            return List.of(ConfigProblem.global(Severity.ERROR, source
                    + ": no *.yaml or *.yml file found; a gateway with nothing to serve must not start"));
        }
        if (peerCount == 0) {
            return List.of(ConfigProblem.global(Severity.ERROR, "no ServiceMeshPeer in namespace " + namespace
                    + " (read from " + source + "); a gateway with nothing to serve must not start"));
        }
        return List.of();
    }
}
