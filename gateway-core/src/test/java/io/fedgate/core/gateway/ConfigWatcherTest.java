package io.fedgate.core.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigWatcherTest {
    @TempDir
    Path dir;

    @Test
    void aBurstOfChangesIsOneReloadAndUnrelatedFilesAreIgnored() throws Exception {
        Path config = Files.createDirectory(dir.resolve("config"));
        Path certs = Files.createDirectory(dir.resolve("certs"));
        Path chain = Files.writeString(certs.resolve("cert-chain.pem"), "old");
        Semaphore reloads = new Semaphore(0);
        try (ConfigWatcher watcher = ConfigWatcher.start(config, List.of(chain), reloads::release)) {
            Files.writeString(config.resolve("peer.yaml"), "a");
            Files.writeString(config.resolve("exports.yaml"), "b");
            assertThat(reloads.tryAcquire(10, TimeUnit.SECONDS)).as("a reload after the config change").isTrue();

            Files.writeString(chain, "new");
            assertThat(reloads.tryAcquire(10, TimeUnit.SECONDS)).as("a reload after the certificate change").isTrue();

            Files.writeString(certs.resolve("unrelated.txt"), "x");
            Files.writeString(config.resolve("notes.txt"), "x");
            assertThat(reloads.tryAcquire(3 * ConfigWatcher.QUIET_PERIOD.toMillis(), TimeUnit.MILLISECONDS))
                    .as("no reload for files that are not config or certificates").isFalse();

            // Kubernetes' atomic update of a mounted volume: a new ..data symlink.
            Files.createSymbolicLink(certs.resolve("..data_tmp"), certs);
            assertThat(reloads.tryAcquire(10, TimeUnit.SECONDS)).isTrue();
            assertThat(reloads.tryAcquire(3 * ConfigWatcher.QUIET_PERIOD.toMillis(), TimeUnit.MILLISECONDS))
                    .as("one reload per burst").isFalse();
        }
    }
}
