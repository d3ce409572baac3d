package io.fedgate.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * The README's first command, {@code bin/fedgate demo}, run as a user runs it: the launcher script finds the jars
 * next to itself. Each run uses {@code --base-port} on a random free base, so a demo a developer left running does
 * not collide.
 */
class DemoCommandIT {
    private static final Path LAUNCHER = Path.of("..", "bin", "fedgate").toAbsolutePath().normalize();
    private static final Duration BOUND = Duration.ofSeconds(120);

    private record Run(int exit, String out, Path workDir) {
    }

    @Test
    void demoFederatesTwoMeshesVerifiesBothLinksAndStopsEverything() throws Exception {
        Run run = demo("demo-default", "--bytes", "4");

        assertThat(run.exit()).as(run.out()).isZero();
        assertThat(run.out()).contains("fedgate demo: 2 meshes (red, green), 2 ServiceMeshPeers, 4 gateway processes")
                .containsPattern("(?m)^red -> green .* ok, sha256 [0-9a-f]{12} both ways$")
                .containsPattern("(?m)^green -> red .* ok, sha256 [0-9a-f]{12} both ways$")
                .contains("every link works");
        assertThat(run.out().split("connected: true", -1)).as("watch and remote of both peers").hasSizeGreaterThan(4);
        assertThat(run.workDir().resolve("config/red-mesh/servicemeshpeer-green-mesh.yaml")).exists();
        assertThat(gatewaysStillRunning(run.workDir())).as("gateway processes left behind").isEmpty();
    }

    @Test
    void brokenClientIdIsDiagnosedWithThePresentedAndTheExpectedIdentity() throws Exception {
        Run run = demo("demo-break-clientid", "--bytes", "1", "--break", "clientid");

        assertThat(run.exit()).as(run.out()).isZero();
        assertThat(run.out()).containsPattern("(?m)^red -> green .* ok, ")
                .containsPattern("(?m)^green -> red .* FAILED: ")
                .contains("diagnosis of green -> red:")
                .contains("presented spiffe://green-mesh.local/ns/green-mesh-system/sa/egress-red-mesh-service-account, "
                        + "expected spiffe://green-mesh.local/ns/green-mesh-system/sa/egress-green-mesh-service-account")
                .contains("the broken links fail as client-id predicts");
        assertThat(gatewaysStillRunning(run.workDir())).isEmpty();
    }

    @Test
    void aTakenPortIsNamedAndNothingStarts() throws Exception {
        int base = Federations.randomBase();
        try (ServerSocket squatter = new ServerSocket()) {
            squatter.bind(new InetSocketAddress("127.0.1.12", base + 1)); // red's ingress-green-mesh discovery port
            Run run = demo("demo-port-taken", "--base-port", Integer.toString(base));

            assertThat(run.exit()).as(run.out()).isEqualTo(2);
            assertThat(run.out()).contains("cannot listen on 127.0.1.12:" + (base + 1)).contains("--base-port");
            assertThat(gatewaysStillRunning(run.workDir())).isEmpty();
        }
    }

    /** Runs the demo; on a random base port that turns out taken, tries another (a few times). */
    private static Run demo(String name, String... args) throws IOException, InterruptedException {
        boolean ownBase = List.of(args).contains("--base-port");
        Run run = demoOnce(name, args);
        for (int retry = 0; retry < 3 && !ownBase && run.exit() == 2 && run.out().contains("cannot listen"); retry++) {
            run = demoOnce(name, args);
        }
        return run;
    }

    private static Run demoOnce(String name, String... args) throws IOException, InterruptedException {
        Path workDir = Path.of("target", "e2e", name).toAbsolutePath();
        Federations.deleteRecursively(workDir);
        List<String> command = new ArrayList<>(List.of(LAUNCHER.toString(), "demo", "--work-dir", workDir.toString()));
        if (!List.of(args).contains("--base-port")) {
            command.addAll(List.of("--base-port", Integer.toString(Federations.randomBase())));
        }
        command.addAll(List.of(args));
        Files.createDirectories(workDir);
        Path output = workDir.resolveSibling(name + ".out");
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(output.toFile()).start();
        try {
            boolean exited = process.waitFor(BOUND.toSeconds(), TimeUnit.SECONDS);
            assertThat(exited).as("demo finished within %s; output so far:%n%s", BOUND, Files.readString(output))
                    .isTrue();
            String out = Files.readString(output);
            System.out.println("DemoCommandIT " + name + ":\n" + out);
            return new Run(process.exitValue(), out, workDir);
        } finally {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
    }

    private static List<ProcessHandle> gatewaysStillRunning(Path workDir) {
        return ProcessHandle.allProcesses().filter(handle -> handle.info().commandLine()
                .map(line -> line.contains(workDir.toString()) && line.contains("gateway-")).orElse(false)).toList();
    }
}
