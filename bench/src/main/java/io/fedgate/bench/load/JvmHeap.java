package io.fedgate.bench.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The live Java heap of another JVM: a full GC ({@code jcmd <pid> GC.run}), then the used sizes {@code jstat -gc}
 * reports (survivors, eden, old; kilobytes). Together with the resident set of a JVM whose heap is pre-touched
 * ({@code -XX:+AlwaysPreTouch}, so heap pages never add to it), it gives what connections really cost: Java
 * objects plus native memory (direct buffers, TLS state).
 */
final class JvmHeap {
    private JvmHeap() {
    }

    /** Bytes of heap in use after a full collection. */
    static long usedAfterGc(long pid) throws IOException, InterruptedException {
        run(tool("jcmd"), Long.toString(pid), "GC.run");
        String[] lines = run(tool("jstat"), "-gc", Long.toString(pid)).trim().split("\n");
        String[] names = lines[0].trim().split("\\s+");
        String[] values = lines[lines.length - 1].trim().split("\\s+");
        double kilobytes = 0;
        for (int i = 0; i < names.length; i++) {
            if (names[i].equals("S0U") || names[i].equals("S1U") || names[i].equals("EU") || names[i].equals("OU")) {
                kilobytes += Double.parseDouble(values[i]);
            }
        }
        return (long) (kilobytes * 1024);
    }

    private static String tool(String name) {
        Path bundled = Path.of(System.getProperty("java.home"), "bin", name);
        return Files.isExecutable(bundled) ? bundled.toString() : name;
    }

    private static String run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes());
        if (process.waitFor() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + out);
        }
        return out;
    }
}
