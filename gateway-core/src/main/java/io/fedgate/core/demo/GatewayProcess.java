package io.fedgate.core.demo;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.MatchResult;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;


/**
 * A gateway (or any Java main) running as a separate JVM, started with this JVM's own {@code java} binary (and,
 * unless turned off, {@code -Dio.netty.leakDetection.level=paranoid}), its stdout and stderr going to one log file
 * that is kept for the caller to read. {@link #close()} stops it: SIGTERM, a bounded wait, then SIGKILL, for its descendants too.
 *
 * <pre>{@code
 * FederationFixture.GatewayFiles files = federation.ingress(pki.red(), pki.green());
 * try (GatewayProcess ingress = GatewayProcess.jar(GatewayProcess.ingressJar()).name("red-ingress")
 *         .logDirectory(tempDir).args(files.args(redConfig)).start()) {
 *     InetSocketAddress service = ingress.awaitListening("service", Duration.ofSeconds(20));
 *     ...
 *     int mark = ingress.logLength();
 *     ingress.sendSignal("HUP");
 *     ingress.awaitLog(Pattern.compile("reloaded"), mark, Duration.ofSeconds(5));
 * }
 * }</pre>
 *
 * <p>Gateways log one line per bound listener, {@code ... listening: <listener> <host>:<port> ...};
 * {@link #awaitListening} finds it and parses the address (IPv6 in brackets). Every wait polls the log file every
 * {@value #POLL_MILLIS} ms, only ever matches complete lines, and fails with the log's last lines when the process
 * exits first or the time is up. Processes still running when this JVM exits are killed by a shutdown hook.
 */
public final class GatewayProcess implements AutoCloseable {
    /** System property naming the ingress gateway's jar; failsafe sets it after {@code package}. */
    public static final String INGRESS_JAR_PROPERTY = "fedgate.ingress.jar";
    /** System property naming the egress gateway's jar. */
    public static final String EGRESS_JAR_PROPERTY = "fedgate.egress.jar";
    /** The JVM option every process gets: leaks fail as loudly as in the tests. */
    public static final String LEAK_DETECTION = "-Dio.netty.leakDetection.level=paranoid";
    /** Default wait between SIGTERM and SIGKILL. */
    public static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);
    /** How many log lines a failure message quotes. */
    public static final int TAIL_LINES = 40;
    static final int POLL_MILLIS = 25;
    private static final Duration KILL_WAIT = Duration.ofSeconds(5);
    private static final Pattern SIGNAL = Pattern.compile("[A-Z0-9]+");

    private static final Set<GatewayProcess> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            for (GatewayProcess process : LIVE) {
                process.killNow();
            }
        }, "gateway-process-reaper"));
    }

    private final String name;
    private final Process process;
    private final Path logFile;
    private final List<String> command;
    private final Duration stopTimeout;
    /** Complete lines read so far; guarded by {@code this}. */
    private final StringBuilder lines = new StringBuilder();
    /** Bytes of the log file consumed into {@link #lines}; guarded by {@code this}. */
    private long consumed;

    private GatewayProcess(String name, Process process, Path logFile, List<String> command, Duration stopTimeout) {
        this.name = name;
        this.process = process;
        this.logFile = logFile;
        this.command = command;
        this.stopTimeout = stopTimeout;
    }

    /** A process running {@code java <jvmArgs> -jar <jar> <args>}. */
    public static Builder jar(Path jar) {
        requireNonNull(jar, "jar");
        return new Builder(List.of("-jar", jar.toAbsolutePath().toString()), stripExtension(jar.getFileName().toString()));
    }

    /** Any program (not a JVM: JVM options and leak detection do not apply), e.g. a reference proxy to compare with. */
    public static Builder program(String name, List<String> command) {
        requireNonNull(name, "name");
        if (command.isEmpty()) {
            throw new IllegalArgumentException("command: empty");
        }
        Builder builder = new Builder(List.copyOf(command), name);
        builder.java = false;
        return builder;
    }

    /** A process running {@code java <jvmArgs> -cp <classpath> <mainClass> <args>}, e.g. a test's fake gateway. */
    public static Builder java(String mainClass, String classpath) {
        requireNonNull(mainClass, "mainClass");
        requireNonNull(classpath, "classpath");
        return new Builder(List.of("-cp", classpath, mainClass), mainClass.substring(mainClass.lastIndexOf('.') + 1));
    }

    /** The ingress gateway's jar; see {@link #moduleJar}. */
    public static Path ingressJar() {
        return moduleJar(INGRESS_JAR_PROPERTY, "gateway-ingress");
    }

    /** The egress gateway's jar; see {@link #moduleJar}. */
    public static Path egressJar() {
        return moduleJar(EGRESS_JAR_PROPERTY, "gateway-egress");
    }

    /**
     * A module's runnable jar: the file the system property {@code property} names, else
     * {@code target/<module>.jar} or {@code ../<module>/target/<module>.jar} from the working directory (a module's
     * basedir under Maven). 
     * @throws IllegalStateException if there is no such jar, saying what to build
     */
    public static Path moduleJar(String property, String module) {
        requireNonNull(property, "property");
        requireNonNull(module, "module");
        String configured = System.getProperty(property);
        String build = "build it with: mvn -B -pl " + module + " -am package -DskipTests";
        if (configured != null && !configured.isBlank()) {
            Path jar = Path.of(configured);
            if (!Files.isRegularFile(jar)) {
                throw new IllegalStateException("-D" + property + "=" + configured + " is not a file; " + build);
            }
            return jar.toAbsolutePath();
        }
        for (Path candidate : List.of(Path.of("target", module + ".jar"),
                Path.of("..", module, "target", module + ".jar"))) {
            if (Files.isRegularFile(candidate)) {
                return candidate.toAbsolutePath().normalize();
            }
        }
        throw new IllegalStateException("no " + module + ".jar: set -D" + property + "=<path> or " + build
                + " (looked in target/ and ../" + module + "/target/ from " + Path.of("").toAbsolutePath() + ")");
    }

    /** The name given at start (log file name and messages). */
    public String name() {
        return name;
    }

    /** The operating-system process id. */
    public long pid() {
        return process.pid();
    }

    /** Whether the process is running. */
    public boolean isAlive() {
        return process.isAlive();
    }

    /** The exit code, once the process has exited. */
    public OptionalInt exitCode() {
        return process.isAlive() ? OptionalInt.empty() : OptionalInt.of(process.exitValue());
    }

    /** The full command line it was started with. */
    public List<String> command() {
        return command;
    }

    /** The log file: stdout and stderr together. Kept after the process ends. */
    public Path logFile() {
        return logFile;
    }

    /** Everything logged so far, including a last line still being written. */
    public String log() {
        try {
            return new String(Files.readAllBytes(logFile), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + logFile, e);
        }
    }

    /** The length of the complete lines logged so far: pass it to {@link #awaitLog(Pattern, int, Duration)}. */
    public synchronized int logLength() {
        readNewLines();
        return lines.length();
    }

    /** The last {@code count} lines of the log. */
    public String logTail(int count) {
        List<String> all = log().lines().collect(Collectors.toList());
        return String.join("\n", all.subList(Math.max(0, all.size() - count), all.size()));
    }

    /**
     * Waits for the line {@code listening: <listener> <host>:<port>} and returns that address.
     *
     * @throws IllegalStateException if the process exits or {@code timeout} passes first, with the log's last lines
     */
    public InetSocketAddress awaitListening(String listener, Duration timeout) {
        requireNonNull(listener, "listener");
        Pattern line = Pattern.compile("listening: " + Pattern.quote(listener)
                + " (\\[[0-9A-Fa-f:.%a-z]+\\]|[^\\s\\[\\]]+):(\\d{1,5})(?=\\s|$)", Pattern.MULTILINE);
        MatchResult match = awaitLog(line, 0, timeout);
        String host = match.group(1);
        if (host.startsWith("[")) {
            host = host.substring(1, host.length() - 1);
        }
        int port = Integer.parseInt(match.group(2));
        try {
            return new InetSocketAddress(InetAddress.getByName(host), port);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(name + " logged listener " + listener + " on unknown host " + host, e);
        }
    }

    /**
     * Waits until the gateway's {@code /healthz/ready} answers 200: every listener bound and the config and
     * certificate files watched.
     *
     * @throws IllegalStateException if the process exits or {@code timeout} passes first
     */
    public void awaitReady(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        InetSocketAddress admin = awaitListening("admin", timeout);
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest ready = HttpRequest.newBuilder(URI.create("http://" + admin.getAddress().getHostAddress() + ":"
                + admin.getPort() + "/healthz/ready")).timeout(Duration.ofSeconds(2)).build();
        String last = "no answer";
        while (System.nanoTime() < deadline && process.isAlive()) {
            try {
                HttpResponse<String> response = http.send(ready, HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200) {
                    return;
                }
                last = response.statusCode() + " " + response.body().trim();
                Thread.sleep(50);
            } catch (IOException e) {
                last = e.toString();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
        throw new IllegalStateException(name + " (pid " + pid() + ") not ready within " + timeout + " (" + last + "); "
                + tailForMessage());
    }

    /** Waits until a complete log line matches {@code pattern}; see {@link #awaitLog(Pattern, int, Duration)}. */
    public MatchResult awaitLog(Pattern pattern, Duration timeout) {
        return awaitLog(pattern, 0, timeout);
    }

    /**
     * Waits until the log's complete lines, from character {@code from} on (a {@link #logLength()} taken earlier),
     * match {@code pattern}, and returns the first match. Use {@link Pattern#MULTILINE} to anchor on lines.
     *
     * @throws IllegalStateException if the process exits or {@code timeout} passes first, with the log's last lines
     */
    public MatchResult awaitLog(Pattern pattern, int from, Duration timeout) {
        requireNonNull(pattern, "pattern");
        requireNonNull(timeout, "timeout");
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            boolean aliveBefore = process.isAlive();
            synchronized (this) {
                readNewLines();
                Matcher matcher = pattern.matcher(lines);
                if (from <= lines.length() && matcher.find(from)) {
                    return matcher.toMatchResult();
                }
            }
            if (!aliveBefore) {
                // Everything it wrote before exiting was read above.
                throw new IllegalStateException(name + " (pid " + pid() + ") exited with code " + process.exitValue()
                        + " before logging /" + pattern + "/; " + tailForMessage());
            }
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException(name + " (pid " + pid() + ") did not log /" + pattern + "/ within " + timeout
                        + " (still running); " + tailForMessage());
            }
            sleep(POLL_MILLIS);
        }
    }

    /**
     * Waits for the process to exit by itself and returns its exit code.
     *
     * @throws IllegalStateException if it is still running after {@code timeout}
     */
    public int awaitExit(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException(name + " (pid " + pid() + ") still running after " + timeout + "; "
                        + tailForMessage());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        return process.exitValue();
    }

    /**
     * Sends a signal with {@code kill -s <signal> <pid>}, e.g. {@code "HUP"} (a leading {@code SIG} is dropped).
     *
     * @throws IllegalStateException if the process is not running or {@code kill} fails
     */
    public void sendSignal(String signal) {
        requireNonNull(signal, "signal");
        String bare = signal.startsWith("SIG") ? signal.substring(3) : signal;
        if (!SIGNAL.matcher(bare).matches()) {
            throw new IllegalArgumentException("signal: " + signal + " (expected: a name like HUP or TERM)");
        }
        if (!process.isAlive()) {
            throw new IllegalStateException("cannot send SIG" + bare + ": " + name + " (pid " + pid() + ") exited with code "
                    + process.exitValue() + "; " + tailForMessage());
        }
        try {
            Process kill = new ProcessBuilder("kill", "-s", bare, Long.toString(pid()))
                    .redirectErrorStream(true).start();
            kill.getOutputStream().close();
            if (!kill.waitFor(KILL_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                kill.destroyForcibly();
                throw new IllegalStateException("kill -s " + bare + " " + pid() + " did not finish within " + KILL_WAIT);
            }
            String output = new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (kill.exitValue() != 0) {
                throw new IllegalStateException("kill -s " + bare + " " + pid() + " failed (" + kill.exitValue() + "): " + output);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run kill: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /**
     * Stops the process: SIGTERM, up to the stop timeout for it to exit, then SIGKILL; afterwards SIGKILL to every
     * descendant still running (they would outlive it otherwise). Returns the exit code (0 for a gateway, which
     * drains on SIGTERM; 143 after SIGTERM for another JVM; 137 after SIGKILL). Idempotent.
     *
     * @throws IllegalStateException if the process survives SIGKILL for {@code 5 s}
     */
    public int stop() {
        List<ProcessHandle> descendants = new ArrayList<>(process.descendants().collect(Collectors.toList()));
        if (process.isAlive()) {
            process.destroy();
            if (!waitFor(process, stopTimeout)) {
                descendants.addAll(process.descendants().collect(Collectors.toList()));
                process.destroyForcibly();
                if (!waitFor(process, KILL_WAIT)) {
                    throw new IllegalStateException(name + " (pid " + pid() + ") survived SIGKILL for " + KILL_WAIT);
                }
            }
        }
        killAll(descendants);
        LIVE.remove(this);
        return process.exitValue();
    }

    /** {@link #stop()}. */
    @Override
    public void close() {
        stop();
    }

    @Override
    public String toString() {
        return "GatewayProcess{" + name + ", pid " + pid() + (process.isAlive() ? ", running" : ", exited "
                + process.exitValue()) + ", log " + logFile + "}";
    }

    private void killNow() {
        List<ProcessHandle> descendants = process.descendants().collect(Collectors.toList());
        process.destroyForcibly();
        killAll(descendants);
    }

    private static void killAll(List<ProcessHandle> handles) {
        for (ProcessHandle handle : handles) {
            handle.destroyForcibly();
        }
        // Polled: onExit() of a process that is not our child (a reparented grandchild) reacts only slowly.
        long deadline = System.nanoTime() + KILL_WAIT.toNanos();
        while (handles.stream().anyMatch(GatewayProcess::running) && System.nanoTime() - deadline < 0) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /**
     * Alive and not a zombie: a killed grandchild, reparented, stays a zombie until its new parent reaps it (here
     * up to seconds), and {@code isAlive()} is true until then although it holds no more sockets or files.
     */
    static boolean running(ProcessHandle handle) {
        if (!handle.isAlive()) {
            return false;
        }
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(handle.pid()), "stat"));
            // pid (comm) state ...: comm may contain spaces and parentheses, so look after the last ')'.
            int end = stat.lastIndexOf(')');
            return end < 0 || end + 2 >= stat.length() || stat.charAt(end + 2) != 'Z';
        } catch (IOException e) {
            return handle.isAlive();
        }
    }

    private static boolean waitFor(Process process, Duration timeout) {
        try {
            return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return !process.isAlive();
        }
    }

    /** Appends the complete lines written since the last call. Caller holds {@code this}. */
    private void readNewLines() {
        byte[] all;
        try {
            all = Files.readAllBytes(logFile);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + logFile, e);
        }
        int end = all.length;
        while (end > consumed && all[end - 1] != '\n') {
            end--;
        }
        if (end > consumed) {
            lines.append(new String(all, (int) consumed, (int) (end - consumed), StandardCharsets.UTF_8));
            consumed = end;
        }
    }

    private String tailForMessage() {
        return "last " + TAIL_LINES + " lines of " + logFile + ":\n" + logTail(TAIL_LINES);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static String stripExtension(String fileName) {
        int dot = fileName.lastIndexOf('.');
        return dot > 0 ? fileName.substring(0, dot) : fileName;
    }

    /** What to start; {@link #start()} may be called more than once (each start needs its own log file name). */
    public static final class Builder {
        private final List<String> target;
        private String name;
        private final List<String> jvmArgs = new ArrayList<>();
        private final List<String> args = new ArrayList<>();
        private final Map<String, String> environment = new LinkedHashMap<>();
        private Path logDirectory;
        private Path logFile;
        private Duration stopTimeout = STOP_TIMEOUT;
        private boolean leakDetection = true;
        private boolean java = true;
        private final List<String> prefix = new ArrayList<>();

        Builder(List<String> target, String defaultName) {
            this.target = target;
            this.name = defaultName;
        }

        /** A name for messages and the default log file, {@code <name>.log}; default the jar's or class's name. */
        public Builder name(String name) {
            this.name = requireNonNull(name, "name");
            return this;
        }

        /** JVM options, before {@code -jar}/{@code -cp}, after {@link #LEAK_DETECTION} unless that is off. */
        public Builder jvmArgs(String... jvmArgs) {
            this.jvmArgs.addAll(Arrays.asList(jvmArgs));
            return this;
        }

        /** Program arguments, appended. */
        public Builder args(String... args) {
            return args(Arrays.asList(args));
        }

        /** Program arguments, appended. */
        public Builder args(List<String> args) {
            this.args.addAll(args);
            return this;
        }

        /** An environment variable for the process (on top of the test JVM's environment). */
        public Builder environment(String variable, String value) {
            environment.put(requireNonNull(variable, "variable"), requireNonNull(value, "value"));
            return this;
        }

        /** Where {@code <name>.log} goes (created if missing); required unless {@link #logFile} is given. */
        public Builder logDirectory(Path directory) {
            this.logDirectory = requireNonNull(directory, "directory");
            return this;
        }

        /** The exact log file (its directory is created if missing; an existing file is truncated). */
        public Builder logFile(Path file) {
            this.logFile = requireNonNull(file, "file");
            return this;
        }

        /** Wait between SIGTERM and SIGKILL in {@link GatewayProcess#stop()}; default {@link #STOP_TIMEOUT}. */
        public Builder stopTimeout(Duration timeout) {
            requireNonNull(timeout, "timeout");
            if (timeout.isNegative()) {
                throw new IllegalArgumentException("stopTimeout: " + timeout + " (expected: >= 0)");
            }
            this.stopTimeout = timeout;
            return this;
        }

        /**
         * Whether to add {@link #LEAK_DETECTION}; default on, so tests see every leak. The demo and the load
         * benchmarks turn it off: paranoid detection samples every buffer and costs throughput.
         */
        public Builder leakDetection(boolean on) {
            this.leakDetection = on;
            return this;
        }

        /** A command the process runs under, e.g. {@code taskset -c 0} to pin it to a core. */
        public Builder prefix(String... command) {
            this.prefix.addAll(Arrays.asList(command));
            return this;
        }

        /** Starts the process. */
        public GatewayProcess start() {
            Path log = logFile != null ? logFile
                    : requireNonNull(logDirectory, "logDirectory or logFile").resolve(name + ".log");
            List<String> command = new ArrayList<>(prefix);
            if (java) {
                command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
                if (leakDetection) {
                    command.add(LEAK_DETECTION);
                }
                command.addAll(jvmArgs);
            }
            command.addAll(target);
            command.addAll(args);
            try {
                if (log.toAbsolutePath().getParent() != null) {
                    Files.createDirectories(log.toAbsolutePath().getParent());
                }
                ProcessBuilder builder = new ProcessBuilder(command)
                        .redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.to(log.toFile()));
                builder.environment().putAll(environment);
                Process process = builder.start();
                process.getOutputStream().close();
                GatewayProcess started = new GatewayProcess(name, process, log, List.copyOf(command), stopTimeout);
                LIVE.add(started);
                return started;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start " + String.join(" ", command), e);
            }
        }
    }
}
