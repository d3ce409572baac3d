package io.fedgate.bench.load;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

import io.fedgate.bench.load.LoadBench.Sample;

/** The results of a load run as a markdown table (medians, spread, ratios) and as JSON (every sample). */
final class LoadReport {
    private LoadReport() {
    }

    static String markdown(Map<String, Map<String, List<Sample>>> results, Map<String, String> titles,
                           int repetitions, double seconds, boolean pinned, int idleConnections) {
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "Medians of %d interleaved repetitions of %.0f s each (min-max in "
                + "brackets); CPU is the system under test's own (utime + stime from /proc), %s.%n%n", repetitions,
                seconds, pinned ? "pinned to one core, load on the other" : "not pinned"));
        out.append("| workload | system under test | rate | per CPU-second of the system | its CPU use "
                + "| per CPU-s vs direct TLS | per CPU-s vs HAProxy | latency p50 / p99 / p99.9 |\n");
        out.append("|---|---|---|---|---|---|---|---|\n");
        List<String> workloads = new ArrayList<>();
        results.values().forEach(byWorkload -> byWorkload.keySet().stream().filter(w -> !workloads.contains(w))
                .forEach(workloads::add));
        for (String workload : workloads) {
            if (workload.equals("idle")) {
                continue;
            }
            String unit = unit(workload);
            for (Map.Entry<String, String> scenario : titles.entrySet()) {
                List<Sample> samples = results.getOrDefault(scenario.getKey(), Map.of()).get(workload);
                if (samples == null || samples.isEmpty()) {
                    continue;
                }
                double perCpu = median(samples, Sample::perCpuSecond);
                String versusDirect = ratio(perCpu, results, "direct", workload);
                String reference = scenario.getKey().equals("passthrough") ? "haproxy-passthrough" : "haproxy";
                String versusHaproxy = scenario.getKey().startsWith("haproxy") ? "" : ratio(perCpu, results, reference,
                        workload);
                String latency = workload.startsWith("rr") ? String.format(Locale.ROOT, "%.3f / %.3f / %.3f ms",
                        median(samples, Sample::p50), median(samples, Sample::p99), median(samples, Sample::p999)) : "";
                int errors = samples.stream().mapToInt(Sample::errors).sum();
                out.append(String.format(Locale.ROOT, "| %s | %s | %s %s [%s-%s]%s | %s %s | %.0f%% | %s | %s | %s |%n",
                        workload, scenario.getValue(), format(median(samples, Sample::value)), unit,
                        format(min(samples, Sample::value)), format(max(samples, Sample::value)),
                        errors > 0 ? " (" + errors + " errors)" : "",
                        format(perCpu), perCpuUnit(workload),
                        100 * median(samples, s -> s.cpuSeconds() / s.wallSeconds()), versusDirect, versusHaproxy,
                        latency));
            }
        }
        if (workloads.contains("idle")) {
            out.append(String.format(Locale.ROOT, "%nMemory with %d idle TLS connections open through the system under "
                    + "test (resident set growth of its processes, per connection):%n%n", idleConnections));
            out.append("| system under test | bytes per idle connection | vs HAProxy |\n|---|---|---|\n");
            for (Map.Entry<String, String> scenario : titles.entrySet()) {
                List<Sample> samples = results.getOrDefault(scenario.getKey(), Map.of()).get("idle");
                if (samples != null && !samples.isEmpty()) {
                    double perConnection = median(samples, Sample::value);
                    List<Sample> haproxy = results.getOrDefault(scenario.getKey().equals("passthrough")
                            ? "haproxy-passthrough" : "haproxy", Map.of()).get("idle");
                    double reference = haproxy == null ? Double.NaN : median(haproxy, Sample::value);
                    // Below 1 KiB a connection costs next to nothing (pass-through holds no TLS state): no ratio.
                    String versus = haproxy == null || scenario.getKey().startsWith("haproxy") ? ""
                            : reference < 1024 ? "(HAProxy: under 1 KiB)"
                            : String.format(Locale.ROOT, "%.2fx", perConnection / reference);
                    out.append(String.format(Locale.ROOT, "| %s | %.0f | %s |%n", scenario.getValue(), perConnection,
                            versus));
                }
            }
        }
        return out.toString();
    }

    static String json(Map<String, Map<String, List<Sample>>> results, Map<String, String> titles) {
        StringBuilder out = new StringBuilder("{\n  \"scenarios\": {\n");
        int s = 0;
        for (Map.Entry<String, Map<String, List<Sample>>> scenario : results.entrySet()) {
            out.append("    \"").append(scenario.getKey()).append("\": {\n      \"title\": \"")
                    .append(titles.get(scenario.getKey())).append("\",\n      \"workloads\": {\n");
            int w = 0;
            for (Map.Entry<String, List<Sample>> workload : scenario.getValue().entrySet()) {
                out.append("        \"").append(workload.getKey()).append("\": [");
                int i = 0;
                for (Sample sample : workload.getValue()) {
                    out.append(i++ == 0 ? "" : ", ").append(String.format(Locale.ROOT,
                            "{\"value\": %s, \"cpuSeconds\": %s, \"wallSeconds\": %s, \"units\": %s, "
                                    + "\"perCpuSecond\": %s, \"p50Ms\": %s, \"p99Ms\": %s, \"p999Ms\": %s, \"errors\": %d}",
                            number(sample.value()), number(sample.cpuSeconds()), number(sample.wallSeconds()),
                            number(sample.units()), number(sample.perCpuSecond()), number(sample.p50()),
                            number(sample.p99()), number(sample.p999()), sample.errors()));
                }
                out.append(']').append(++w < scenario.getValue().size() ? "," : "").append('\n');
            }
            out.append("      }\n    }").append(++s < results.size() ? "," : "").append('\n');
        }
        return out.append("  }\n}\n").toString();
    }

    private static String ratio(double perCpu, Map<String, Map<String, List<Sample>>> results, String reference,
                                String workload) {
        List<Sample> samples = results.getOrDefault(reference, Map.of()).get(workload);
        if (samples == null || samples.isEmpty()) {
            return "";
        }
        return String.format(Locale.ROOT, "%.2fx", perCpu / median(samples, Sample::perCpuSecond));
    }

    private static String unit(String workload) {
        return workload.startsWith("bulk") ? "MB/s" : workload.startsWith("rr") ? "req/s" : "handshakes/s";
    }

    private static String perCpuUnit(String workload) {
        return workload.startsWith("bulk") ? "MB" : workload.startsWith("rr") ? "req" : "handshakes";
    }

    private static String number(double value) {
        return Double.isNaN(value) || Double.isInfinite(value) ? "null" : String.format(Locale.ROOT, "%.4f", value);
    }

    private static String format(double value) {
        if (Double.isNaN(value)) {
            return "-";
        }
        return value >= 100 ? String.format(Locale.ROOT, "%.0f", value) : String.format(Locale.ROOT, "%.1f", value);
    }

    static double median(List<Sample> samples, ToDoubleFunction<Sample> field) {
        double[] values = samples.stream().mapToDouble(field).sorted().toArray();
        int n = values.length;
        return n == 0 ? Double.NaN : n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
    }

    private static double min(List<Sample> samples, ToDoubleFunction<Sample> field) {
        return samples.stream().mapToDouble(field).min().orElse(Double.NaN);
    }

    private static double max(List<Sample> samples, ToDoubleFunction<Sample> field) {
        return samples.stream().mapToDouble(field).max().orElse(Double.NaN);
    }

}
