package io.fedgate.core.demo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Writes a gateway's {@code --config-dir}: each file replaced atomically (written aside under a dot-name, which
 * config readers skip, then moved), then every other {@code *.yaml}/{@code *.yml} deleted. The directory as a whole
 * does not change atomically, so signal a gateway to reload after {@link #write} returns rather than race a watch.
 */
public final class ConfigDirectory {
    private ConfigDirectory() {
    }

    /**
     * Writes {@code files} (content by plain file name) into {@code directory}, creating it if missing.
     *
     * @return {@code directory}
     */
    public static Path write(Path directory, Map<String, String> files) {
        try {
            Files.createDirectories(directory);
            for (Map.Entry<String, String> file : files.entrySet()) {
                Path aside = directory.resolve("." + file.getKey() + ".tmp");
                Files.writeString(aside, file.getValue());
                Files.move(aside, directory.resolve(file.getKey()), StandardCopyOption.ATOMIC_MOVE,
                        StandardCopyOption.REPLACE_EXISTING);
            }
            List<Path> stale = new ArrayList<>();
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory, "*.{yaml,yml}")) {
                for (Path entry : entries) {
                    if (!files.containsKey(entry.getFileName().toString())) {
                        stale.add(entry);
                    }
                }
            }
            for (Path path : stale) {
                Files.delete(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + directory, e);
        }
        return directory;
    }
}
