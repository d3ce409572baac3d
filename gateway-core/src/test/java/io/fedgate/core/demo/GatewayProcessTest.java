package io.fedgate.core.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import io.fedgate.core.testing.FakeGateway;

/** {@link GatewayProcess} driving {@link FakeGateway} in a separate JVM. */
class GatewayProcessTest {
    private static final Duration START = Duration.ofSeconds(20);

    @TempDir
    Path logs;

    private GatewayProcess.Builder fake(String... args) {
        return GatewayProcess.java(FakeGateway.class.getName(), testClasses())
                // A short-lived JVM: start fast, stay small.
                .jvmArgs("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx32m")
                .logDirectory(logs)
                .args(args);
    }

    private static String testClasses() {
        try {
            return Path.of(FakeGateway.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void parsesTheListeningLinesAndKeepsTheLog() throws Exception {
        try (GatewayProcess gateway = fake("--print", "starting", "--listen", "service", "--listen", "discovery")
                .name("fake-ingress").start()) {
            InetSocketAddress discovery = gateway.awaitListening("discovery", START);
            InetSocketAddress service = gateway.awaitListening("service", START);

            assertThat(service.getAddress().getHostAddress()).isEqualTo("127.0.0.1");
            assertThat(service.getPort()).isNotZero().isNotEqualTo(discovery.getPort());
            try (Socket socket = new Socket(service.getAddress(), service.getPort());
                 InputStream in = socket.getInputStream()) {
                assertThat(new String(in.readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo("hello from service\n");
            }
            assertThat(gateway.isAlive()).isTrue();
            assertThat(gateway.pid()).isNotEqualTo(ProcessHandle.current().pid());
            assertThat(gateway.logFile()).isEqualTo(logs.resolve("fake-ingress.log"));
            assertThat(gateway.log()).contains("INFO  [FakeGateway] starting");
            assertThat(gateway.command()).contains(GatewayProcess.LEAK_DETECTION);
        }
    }

    @Test
    void stopSendsSigtermAndKeepsTheLogFile() {
        GatewayProcess gateway = fake("--listen", "service").start();
        gateway.awaitListening("service", START);

        assertThat(gateway.stop()).isEqualTo(143);
        assertThat(gateway.isAlive()).isFalse();
        assertThat(gateway.exitCode()).hasValue(143);
        assertThat(gateway.log()).contains("shutdown hook ran");
        assertThat(Files.exists(gateway.logFile())).isTrue();
        assertThat(gateway.stop()).as("idempotent").isEqualTo(143);
    }

    @Test
    void sendSignalDeliversTheSignal() {
        try (GatewayProcess gateway = fake("--listen", "admin").start()) {
            gateway.awaitListening("admin", START);
            int mark = gateway.logLength();

            gateway.sendSignal("HUP");

            // A JVM without a HUP handler runs its shutdown hooks and exits with 128 + 1.
            assertThat(gateway.awaitLog(Pattern.compile("shutdown hook ran"), mark, START).group())
                    .isEqualTo("shutdown hook ran");
            assertThat(gateway.awaitExit(START)).isEqualTo(129);
            assertThatThrownBy(() -> gateway.sendSignal("HUP")).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("exited with code 129");
        }
    }

    @Test
    void stopEscalatesToSigkillAndKillsDescendants() {
        GatewayProcess gateway = fake("--child", "--hang-on-term", "--listen", "service").stopTimeout(Duration.ofMillis(500))
                .start();
        gateway.awaitListening("service", START);
        long childPid = Long.parseLong(gateway.awaitLog(Pattern.compile("child: (\\d+)"), START).group(1));
        ProcessHandle child = ProcessHandle.of(childPid).orElseThrow();
        assertThat(child.isAlive()).isTrue();

        assertThat(gateway.stop()).isEqualTo(137);

        assertThat(gateway.log()).contains("hanging in a shutdown hook");
        assertThat(GatewayProcess.running(child)).as("the child sleep %s", childPid).isFalse();
    }

    @Test
    void aProcessThatExitsEarlyFailsAwaitListeningWithTheLogTail() {
        try (GatewayProcess gateway = fake("--print", "error: no ServiceMeshPeer has ingress: x", "--exit", "2").start()) {
            assertThatThrownBy(() -> gateway.awaitListening("service", START))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("exited with code 2 before logging")
                    .hasMessageContaining("error: no ServiceMeshPeer has ingress: x");
            assertThat(gateway.exitCode()).hasValue(2);
        }
    }

    @Test
    void aTimeoutFailsWithTheLogTailAndLeavesTheProcessRunning() {
        try (GatewayProcess gateway = fake("--print", "still starting", "--listen", "admin").start()) {
            gateway.awaitListening("admin", START);
            assertThatThrownBy(() -> gateway.awaitListening("service", Duration.ofMillis(200)))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("within PT0.2S (still running)")
                    .hasMessageContaining("still starting");
            assertThat(gateway.isAlive()).isTrue();
        }
    }

    @Test
    void moduleJarNamesWhatIsMissing(@TempDir Path dir) throws Exception {
        String property = "fedgate.test.jar." + System.nanoTime();
        assertThatThrownBy(() -> GatewayProcess.moduleJar(property, "no-such-module"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("-D" + property)
                .hasMessageContaining("mvn -B -pl no-such-module -am package");
        System.setProperty(property, dir.resolve("missing.jar").toString());
        try {
            assertThatThrownBy(() -> GatewayProcess.moduleJar(property, "no-such-module"))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("is not a file");
            Path jar = Files.writeString(dir.resolve("present.jar"), "");
            System.setProperty(property, jar.toString());
            assertThat(GatewayProcess.moduleJar(property, "no-such-module")).isEqualTo(jar);
        } finally {
            System.clearProperty(property);
        }
    }
}
