package io.fedgate.bench.load;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import io.netty.channel.Channel;

import io.fedgate.bench.load.LoadTopology.Scenario;
import io.fedgate.core.cli.CommandLine;
import io.fedgate.core.tls.TlsGroups;

/**
 * {@code fedgate bench}: the end-to-end load run. Starts every system under test once (see {@link LoadTopology}),
 * then measures each workload on each scenario, interleaved, several times, reading each system's CPU time from
 * {@code /proc} around every measurement; reports medians with their spread, as a markdown table and as JSON.
 */
public final class LoadBench {
    private LoadBench() {
    }

    /** One measurement: the workload's figure, the systems' CPU seconds and the wall seconds it took. */
    record Sample(double value, double cpuSeconds, double wallSeconds, double units, double p50, double p99,
                  double p999, int errors) {
        /** Units (MB, requests, handshakes) per CPU-second of the system under test. */
        double perCpuSecond() {
            return cpuSeconds <= 0 ? Double.NaN : units / cpuSeconds;
        }
    }

    public static void main(String[] args) throws Exception {
        CommandLine cli = new CommandLine("fedgate bench",
                "End-to-end load run: direct TLS, the ingress (terminate, pass-through), egress -> ingress, HAProxy.")
                .option("seconds", "S", "5", "length of each measurement")
                .option("repetitions", "N", "3", "interleaved repetitions of every measurement (medians are reported)")
                .option("workloads", "LIST", "bulk-1,bulk-8,rr-1,rr-16,handshakes,idle", "which workloads")
                .option("scenarios", "LIST", "direct,ingress,egress+ingress,passthrough,haproxy,haproxy-passthrough",
                        "which systems under test (HAProxy ones are skipped when it is not installed)")
                .option("idle-connections", "N", "9000", "connections held open for the memory workload")
                .option("gateway-cpu", "CPU", "0", "core the systems under test are pinned to (taskset); -1: no pinning")
                .option("load-cpu", "CPU", "1", "core the client and the backends are pinned to")
                .option("gateway-jvm-opts", "OPTS", "-Xms256m -Xmx256m -XX:+AlwaysPreTouch",
                        "JVM options of the gateways and the TLS server (a pre-touched heap keeps memory figures honest)")
                .option("tls-groups", "LIST", "x25519", "key-exchange groups of every fedgate and Netty TLS endpoint "
                        + "(" + TlsGroups.PROPERTY + "); x25519 is what HAProxy's OpenSSL 3.0 negotiates, "
                        + "'default' measures the shipped X25519MLKEM768-first list")
                .option("access-log", "TARGET", "off", "the gateways' --access-log: off (HAProxy logs nothing here either), "
                        + "stdout (into each gateway's log file under run/) or a file")
                .option("warmup-seconds", "S", "15", "per scenario and workload kind, before measuring (JIT compilation)")
                .optional("out", "DIR", "where results.md and results.json go (default bench/target/load/<time>)")
                .option("ingress-jar", "FILE", "gateway-ingress/target/gateway-ingress.jar", "the ingress jar")
                .option("egress-jar", "FILE", "gateway-egress/target/gateway-egress.jar", "the egress jar")
                .option("bench-jar", "FILE", "bench/target/benchmarks.jar", "this module's jar (runs the backends)");
        CommandLine.Parsed parsed = cli.parse(args);
        if (parsed.helpRequested() || !parsed.problems().isEmpty()) {
            parsed.problems().forEach(problem -> System.err.println(cli.command() + ": " + problem));
            System.out.print(cli.usage());
            System.exit(parsed.helpRequested() ? 0 : 2);
        }
        double seconds = Double.parseDouble(parsed.value("seconds"));
        int repetitions = parsed.integer("repetitions", 1, 50);
        List<String> workloads = List.of(parsed.value("workloads").split(","));
        List<String> wanted = List.of(parsed.value("scenarios").split(","));
        int idleConnections = parsed.integer("idle-connections", 1, 1_000_000);
        int gatewayCpu = Integer.parseInt(parsed.value("gateway-cpu"));
        int loadCpu = Integer.parseInt(parsed.value("load-cpu"));
        boolean pin = gatewayCpu >= 0 && Runtime.getRuntime().availableProcessors() >= 2 && which("taskset").isPresent();
        List<String> gatewayPrefix = pin ? List.of("taskset", "-c", Integer.toString(gatewayCpu)) : List.of();
        List<String> loadPrefix = pin ? List.of("taskset", "-c", Integer.toString(loadCpu)) : List.of();
        if (pin) {
            // This JVM is the client: onto the load core, every thread.
            new ProcessBuilder("taskset", "-a", "-cp", Integer.toString(loadCpu), Long.toString(ProcessHandle.current().pid()))
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
        }
        Path out = parsed.optionalValue("out").map(Path::of).orElse(Path.of("bench", "target", "load",
                LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", Locale.ROOT))));
        Files.createDirectories(out);
        Optional<Path> haproxy = which("haproxy");
        if (haproxy.isEmpty()) {
            System.out.println("HAProxy is not installed (apt-get install haproxy): its scenarios are skipped");
        }
        // Like with like: the same key exchange on every TLS endpoint, this JVM's clients included.
        String groups = parsed.value("tls-groups");
        List<String> tlsJvmOpts = groups.equals("default") ? List.of() : List.of("-D" + TlsGroups.PROPERTY + "=" + groups);
        if (!groups.equals("default")) {
            System.setProperty(TlsGroups.PROPERTY, groups);
        }
        List<String> jvmOpts = new ArrayList<>(tlsJvmOpts);
        Arrays.stream(parsed.value("gateway-jvm-opts").trim().split("\\s+")).filter(s -> !s.isEmpty()).forEach(jvmOpts::add);

        Map<String, Map<String, List<Sample>>> results = new LinkedHashMap<>();
        Map<String, String> titles = new LinkedHashMap<>();
        try (LoadTopology topology = new LoadTopology(out.resolve("run"), gatewayPrefix, loadPrefix, jvmOpts,
                tlsJvmOpts, parsed.value("access-log"));
             LoadClient client = new LoadClient(1)) {
            topology.start(Path.of(parsed.value("ingress-jar")), Path.of(parsed.value("egress-jar")),
                    Path.of(parsed.value("bench-jar")), haproxy);
            List<Scenario> scenarios = topology.scenarios().stream().filter(s -> wanted.contains(s.key())).toList();
            scenarios.forEach(s -> titles.put(s.key(), s.title()));
            System.out.printf("pinned: %s; %d x %.0f s per measurement; scenarios %s%n",
                    pin ? "systems under test on CPU " + gatewayCpu + ", load on CPU " + loadCpu : "no",
                    repetitions, seconds, titles.keySet());
            double warmup = Double.parseDouble(parsed.value("warmup-seconds"));
            for (Scenario scenario : scenarios) {
                warmUp(client, scenario, warmup);
            }
            for (int repetition = 1; repetition <= repetitions; repetition++) {
                for (String workload : workloads) {
                    if (workload.equals("idle")) {
                        continue;
                    }
                    for (Scenario scenario : scenarios) {
                        Sample sample = measure(client, scenario, workload, seconds);
                        results.computeIfAbsent(scenario.key(), k -> new LinkedHashMap<>())
                                .computeIfAbsent(workload, k -> new ArrayList<>()).add(sample);
                        System.out.printf("  rep %d %-20s %-11s %12.1f  (%.2f CPU-s, %.1f per CPU-s)%s%n",
                                repetition, scenario.key(), workload, sample.value(), sample.cpuSeconds(),
                                sample.perCpuSecond(), sample.errors() > 0 ? "  ERRORS " + sample.errors() : "");
                    }
                }
            }
            if (workloads.contains("idle")) {
                for (Scenario scenario : scenarios) {
                    Sample sample = idle(client, scenario, idleConnections);
                    results.computeIfAbsent(scenario.key(), k -> new LinkedHashMap<>())
                            .computeIfAbsent("idle", k -> new ArrayList<>()).add(sample);
                    System.out.printf("  %-20s idle: %.0f bytes per connection (%d connections)%n", scenario.key(),
                            sample.value(), idleConnections);
                }
            }
        }
        String table = LoadReport.markdown(results, titles, repetitions, seconds, pin, idleConnections);
        Files.writeString(out.resolve("results.md"), table);
        Files.writeString(out.resolve("results.json"), LoadReport.json(results, titles));
        System.out.println();
        System.out.println(table);
        System.out.println("written: " + out.resolve("results.md") + ", " + out.resolve("results.json"));
    }

    /** Runs each kind of workload for {@code seconds}, so that measurements see compiled code. */
    private static void warmUp(LoadClient client, Scenario scenario, double seconds) throws Exception {
        client.bulk(scenario.sink(), 2, seconds);
        client.requestResponse(scenario.echo(), 16, seconds);
        client.handshakes(scenario.echo(), 4, seconds);
    }

    static Sample measure(LoadClient client, Scenario scenario, String workload, double seconds) throws Exception {
        double cpuBefore = ProcessStats.cpuSeconds(scenario.pids());
        long start = System.nanoTime();
        Sample sample;
        switch (workload) {
            case "bulk-1", "bulk-8" -> {
                LoadClient.Bulk bulk = client.bulk(scenario.sink(), workload.equals("bulk-1") ? 1 : 8, seconds);
                double cpu = ProcessStats.cpuSeconds(scenario.pids()) - cpuBefore;
                sample = new Sample(bulk.megabytesPerSecond(), cpu, (System.nanoTime() - start) / 1e9,
                        bulk.bytes() / 1e6, Double.NaN, Double.NaN, Double.NaN, bulk.errors());
            }
            case "rr-1", "rr-16" -> {
                LoadClient.RequestResponse rr = client.requestResponse(scenario.echo(),
                        workload.equals("rr-1") ? 1 : 16, seconds);
                double cpu = ProcessStats.cpuSeconds(scenario.pids()) - cpuBefore;
                sample = new Sample(rr.perSecond(), cpu, (System.nanoTime() - start) / 1e9, rr.requests(),
                        rr.percentileMillis(0.50), rr.percentileMillis(0.99), rr.percentileMillis(0.999), rr.errors());
            }
            case "handshakes" -> {
                LoadClient.Handshakes handshakes = client.handshakes(scenario.echo(), 4, seconds);
                double cpu = ProcessStats.cpuSeconds(scenario.pids()) - cpuBefore;
                sample = new Sample(handshakes.perSecond(), cpu, (System.nanoTime() - start) / 1e9,
                        handshakes.completed(), Double.NaN, Double.NaN, Double.NaN, handshakes.errors());
            }
            default -> throw new IllegalArgumentException("unknown workload " + workload
                    + " (expected: bulk-1, bulk-8, rr-1, rr-16, handshakes, idle)");
        }
        return sample;
    }

    /**
     * Memory per idle connection: growth of the systems' resident sets plus, for JVMs (heaps pre-touched, so the
     * resident set does not include heap growth), of their live heaps after a full GC; over {@code count} connections
     * open through them.
     */
    private static Sample idle(LoadClient client, Scenario scenario, int count) throws Exception {
        long before = footprint(scenario);
        List<Channel> open = client.idle(scenario.echo(), count, 64);
        try {
            Thread.sleep(1000); // let the systems settle their buffers
            double perConnection = (footprint(scenario) - before) / (double) count;
            return new Sample(perConnection, 0, 0, 0, Double.NaN, Double.NaN, Double.NaN, 0);
        } finally {
            open.forEach(Channel::close);
            Thread.sleep(2000);
        }
    }

    private static long footprint(Scenario scenario) throws Exception {
        long bytes = 0;
        for (var process : scenario.processes()) {
            bytes += ProcessStats.residentBytes(process.pid());
            if (!process.name().equals("haproxy")) {
                bytes += JvmHeap.usedAfterGc(process.pid());
            }
        }
        return bytes;
    }

    private static Optional<Path> which(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            Path candidate = Path.of(dir, program);
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        for (String dir : List.of("/usr/sbin", "/sbin", "/usr/local/sbin")) {
            Path candidate = Path.of(dir, program);
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }
}
