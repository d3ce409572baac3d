package io.fedgate.ingress;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

import io.fedgate.core.demo.GatewayProcess;

/** Keeps a gateway process's log under {@code target/it-logs/} after its temporary directory is gone. */
final class ItLogs {
    private ItLogs() {
    }

    static void keep(GatewayProcess process, Class<?> test) {
        try {
            Path directory = Files.createDirectories(Path.of("target", "it-logs"));
            Files.copy(process.logFile(), directory.resolve(test.getSimpleName() + "-" + process.name() + ".log"),
                    StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
