package io.fedgate.docker;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where the repository's {@code docker/} folder is, whichever module directory a test runs in. */
final class RepositoryRoot {
    private RepositoryRoot() {
    }

    /**
     * The nearest directory at or above the working directory that holds both {@code docker/} and {@code pom.xml}.
     *
     * @throws IllegalStateException if there is none
     */
    static Path find() {
        Path start = Path.of("").toAbsolutePath();
        for (Path dir = start; dir != null; dir = dir.getParent()) {
            if (Files.isDirectory(dir.resolve("docker")) && Files.isRegularFile(dir.resolve("pom.xml"))) {
                return dir;
            }
        }
        throw new IllegalStateException("no directory holding docker/ and pom.xml at or above " + start);
    }

    /** {@code <root>/docker}. */
    static Path dockerDirectory() {
        return find().resolve("docker");
    }
}
