package io.fedgate.core.gateway;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Watches the config directory and the directories of the certificate files, and runs a reload once they have
 * been quiet for a moment after a change: an editor's save or Kubernetes' atomic swap of a mounted ConfigMap or
 * Secret (a new {@code ..data} symlink) is several events, and should be one reload. In the certificate
 * directories only the certificate files themselves and Kubernetes' {@code ..} entries count. One daemon thread.
 */
public final class ConfigWatcher implements AutoCloseable {
    /** How long the watched files must be quiet before the reload runs. */
    public static final Duration QUIET_PERIOD = Duration.ofMillis(500);

    private static final Logger LOG = Logger.getLogger(ConfigWatcher.class.getName());

    private final WatchService service;
    private final Map<WatchKey, Predicate<Path>> relevant = new HashMap<>();
    private final Runnable reload;
    private final Thread thread;

    private ConfigWatcher(WatchService service, Runnable reload) {
        this.service = service;
        this.reload = reload;
        this.thread = new Thread(this::run, "fedgate-config-watch");
        this.thread.setDaemon(true);
    }

    /**
     * Starts watching {@code configDir} (every YAML or JSON file in it) and the files {@code certificates}.
     *
     * @param reload runs on the watcher's thread after each burst of changes
     * @throws IOException if a directory cannot be watched
     */
    public static ConfigWatcher start(Path configDir, List<Path> certificates, Runnable reload) throws IOException {
        requireNonNull(configDir, "configDir");
        requireNonNull(reload, "reload");
        WatchService service = FileSystems.getDefault().newWatchService();
        ConfigWatcher watcher = new ConfigWatcher(service, reload);
        try {
            watcher.watch(configDir.toAbsolutePath(), name -> isKubernetesEntry(name) || isConfigFile(name));
            Map<Path, Set<Path>> certificateDirs = new HashMap<>();
            for (Path certificate : certificates) {
                Path absolute = certificate.toAbsolutePath();
                certificateDirs.computeIfAbsent(absolute.getParent(), dir -> new java.util.HashSet<>())
                        .add(absolute.getFileName());
            }
            for (Map.Entry<Path, Set<Path>> dir : certificateDirs.entrySet()) {
                if (dir.getKey().equals(configDir.toAbsolutePath())) {
                    continue; // already watched, for every file
                }
                Set<Path> names = dir.getValue();
                watcher.watch(dir.getKey(), name -> isKubernetesEntry(name) || names.contains(name));
            }
        } catch (IOException | RuntimeException e) {
            service.close();
            throw e;
        }
        watcher.thread.start();
        return watcher;
    }

    private void watch(Path dir, Predicate<Path> counts) throws IOException {
        WatchKey key = dir.register(service, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
                StandardWatchEventKinds.ENTRY_DELETE);
        relevant.put(key, counts);
    }

    private static boolean isKubernetesEntry(Path name) {
        return name.toString().startsWith("..");
    }

    private static boolean isConfigFile(Path name) {
        String file = name.toString();
        return !file.startsWith(".") && (file.endsWith(".yaml") || file.endsWith(".yml") || file.endsWith(".json"));
    }

    private void run() {
        try {
            while (true) {
                WatchKey key = service.take();
                boolean changed = drainEvents(key);
                // Wait for quiet: keep collecting until nothing arrives for the quiet period.
                WatchKey next;
                while ((next = service.poll(QUIET_PERIOD.toMillis(), TimeUnit.MILLISECONDS)) != null) {
                    changed |= drainEvents(next);
                }
                if (changed) {
                    try {
                        reload.run();
                    } catch (RuntimeException e) {
                        LOG.log(Level.WARNING, "reload after a file change failed: " + e.getMessage(), e);
                    }
                }
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            // closed
        }
    }

    private boolean drainEvents(WatchKey key) {
        Predicate<Path> counts = relevant.getOrDefault(key, name -> false);
        boolean changed = false;
        for (WatchEvent<?> event : key.pollEvents()) {
            if (event.kind() == StandardWatchEventKinds.OVERFLOW) {
                changed = true; // events were lost: assume a change
            } else if (event.context() instanceof Path && counts.test((Path) event.context())) {
                changed = true;
            }
        }
        key.reset();
        return changed;
    }

    @Override
    public void close() {
        try {
            service.close();
        } catch (IOException e) {
            LOG.fine(() -> "closing the file watcher: " + e);
        }
        thread.interrupt();
    }
}
