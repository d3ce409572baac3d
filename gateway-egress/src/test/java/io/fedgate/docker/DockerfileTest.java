package io.fedgate.docker;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;

import io.fedgate.core.admin.AdminServer;
import io.fedgate.core.cli.CommandLine;
import io.fedgate.core.cli.GatewayOptions;
import io.fedgate.core.gateway.GatewayHealth;
import io.fedgate.core.gateway.GatewayRole;
import io.fedgate.core.transport.Transport;

/**
 * {@code docker/Dockerfile} and the repository's {@code .dockerignore}, checked without a Docker engine: one target
 * per gateway role on a shared runtime base, a non-root numeric user, the gateway's ports exposed, a health check
 * that passes exactly while the real admin listener says ready, and a build stage fed by what the build context
 * actually sends.
 */
class DockerfileTest {
    private static final Path ROOT = RepositoryRoot.find();
    private static final Path PATH = ROOT.resolve("docker/Dockerfile");
    private static final Dockerfile DOCKERFILE = Dockerfile.read(PATH);
    /** Where {@code bin/fedgate} goes; it finds the jars in {@code ../lib}, its installed layout. */
    private static final String LAUNCHER = "/opt/fedgate/bin/fedgate";

    @ParameterizedTest
    @EnumSource(GatewayRole.class)
    void eachRoleIsATargetRunningItsGatewayThroughTheLauncher(GatewayRole role) throws IOException {
        String target = role.label();
        assertThat(DOCKERFILE.stage(target)).as("%s: a stage named %s (docker build --target %s)", PATH, target,
                target).isPresent();

        String entrypoint = DOCKERFILE.last(target, "ENTRYPOINT").map(Dockerfile.Instruction::arguments).orElse("");
        assertThat(Dockerfile.execForm(entrypoint)).as("%s target %s: ENTRYPOINT", PATH, target)
                .containsExactly(LAUNCHER, target);
        assertThat(DOCKERFILE.effective(target, "COPY")).as("%s target %s: COPY of the launcher", PATH, target)
                .anySatisfy(copy -> assertThat(copy.arguments()).isEqualTo("bin/fedgate " + LAUNCHER));

        String jar = "gateway-" + target + ".jar";
        assertThat(DOCKERFILE.effective(target, "COPY")).as("%s target %s: COPY of %s into the launcher's lib/",
                PATH, target, jar).anySatisfy(copy -> assertThat(copy.arguments())
                .isEqualTo("--from=build /src/gateway-" + target + "/target/" + jar + " /opt/fedgate/lib/" + jar));
        // The path copied from the build stage is where the module's shade plugin writes the jar.
        assertThat(Files.readString(ROOT.resolve("gateway-" + target + "/pom.xml")))
                .as("gateway-%s/pom.xml: the shaded jar's name", target)
                .contains("<finalName>gateway-" + target + "</finalName>");
    }

    @ParameterizedTest
    @EnumSource(GatewayRole.class)
    void runsAsANonRootNumericUser(GatewayRole role) {
        String user = DOCKERFILE.last(role.label(), "USER").map(Dockerfile.Instruction::arguments).orElse("");
        // Numeric, so that Kubernetes' runAsNonRoot can tell without reading /etc/passwd; never UID 0.
        assertThat(user).as("%s target %s: USER", PATH, role.label()).matches("[1-9][0-9]*(:[0-9]+)?");
    }

    @ParameterizedTest
    @EnumSource(GatewayRole.class)
    void exposesTheGatewaysListeners(GatewayRole role) {
        assertThat(DOCKERFILE.exposedPorts(role.label())).as("%s target %s: EXPOSE", PATH, role.label())
                .containsExactlyInAnyOrder(GatewayOptions.DEFAULT_SERVICE_PORT, GatewayOptions.DEFAULT_DISCOVERY_PORT,
                        GatewayOptions.DEFAULT_ADMIN_PORT);
    }

    @ParameterizedTest
    @EnumSource(GatewayRole.class)
    void runtimeIsASlimTemurin17JreWithBash(GatewayRole role) {
        // glibc (not Alpine), so that BoringSSL and io_uring load; and bash, which the HEALTHCHECK runs.
        assertThat(DOCKERFILE.baseImage(role.label())).as("%s target %s: base image", PATH, role.label())
                .startsWith("eclipse-temurin:17-jre").doesNotContain("alpine");
    }

    @ParameterizedTest
    @EnumSource(GatewayRole.class)
    void healthcheckPassesExactlyWhileTheAdminListenerIsReady(GatewayRole role) throws Exception {
        String healthcheck = DOCKERFILE.last(role.label(), "HEALTHCHECK").map(Dockerfile.Instruction::arguments)
                .orElse("");
        assertThat(healthcheck).as("%s target %s: HEALTHCHECK", PATH, role.label()).contains(" CMD [");
        List<String> command = Dockerfile.execForm(healthcheck.substring(healthcheck.indexOf(" CMD ") + 5));
        assertThat(command).as("%s: HEALTHCHECK CMD", PATH).hasSize(3).startsWith("bash", "-c");
        String script = command.get(2);
        Matcher timeoutFlag = Pattern.compile("--timeout=(\\S+)").matcher(healthcheck);
        Duration timeout = timeoutFlag.find() ? CommandLine.parseDuration(timeoutFlag.group(1))
                : Duration.ofSeconds(30); // Docker's default
        String admin = "/dev/tcp/127.0.0.1/" + GatewayOptions.DEFAULT_ADMIN_PORT;
        assertThat(script).as("%s: HEALTHCHECK script", PATH).contains(admin).contains("GET /healthz/ready ");

        // The same script against the real admin listener, moved to a free port.
        EventLoopGroup group = Transport.NIO.newEventLoopGroup(1, "healthcheck-test");
        try {
            GatewayHealth health = new GatewayHealth(Clock.systemUTC());
            Channel listener = new AdminServer(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), health)
                    .bind(Transport.NIO, group, "127.0.0.1", 0).sync().channel();
            int port = ((InetSocketAddress) listener.localAddress()).getPort();
            String local = script.replace(admin, "/dev/tcp/127.0.0.1/" + port);

            assertThat(run(local, timeout)).as("exit status while PRE_INITIALIZING (503)").isNotZero();
            health.live();
            assertThat(run(local, timeout)).as("exit status while LIVE (200)").isZero();
            health.draining();
            assertThat(run(local, timeout)).as("exit status while DRAINING (503)").isNotZero();
            listener.close().sync();
            assertThat(run(local, timeout)).as("exit status with nothing listening").isNotZero();
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    @Test
    void buildStagePackagesTheGatewaysFromWhatTheContextSends() throws IOException {
        assertThat(DOCKERFILE.stage("build")).as("%s: a stage named build", PATH).isPresent();
        assertThat(DOCKERFILE.baseImage("build")).as("%s stage build: base image", PATH)
                .startsWith("maven:").contains("eclipse-temurin-17");
        assertThat(DOCKERFILE.last("build", "RUN").map(Dockerfile.Instruction::arguments).orElse(""))
                .as("%s stage build: RUN", PATH).startsWith("mvn -B -q -DskipTests").endsWith(" package");

        DockerIgnore ignore = DockerIgnore.read(ROOT.resolve(".dockerignore"));
        List<String> sources = new ArrayList<>();
        DOCKERFILE.stages().keySet().forEach(stage -> sources.addAll(DOCKERFILE.contextSources(stage)));
        assertThat(sources).as("%s: COPY sources from the build context", PATH).isNotEmpty();
        for (String source : sources) {
            Path path = ROOT.resolve(source);
            assertThat(path).as("%s: COPY %s", PATH, source).exists();
            try (Stream<Path> files = Files.walk(path)) {
                for (Path file : files.filter(Files::isRegularFile).toList()) {
                    String relative = ROOT.relativize(file).toString().replace('\\', '/');
                    assertThat(ignore.excludes(relative)).as(".dockerignore excludes %s, which %s copies (COPY %s)",
                            relative, PATH, source).isFalse();
                }
            }
        }
        // docker-java, which Testcontainers builds with, refuses a context that leaves out its Dockerfile.
        assertThat(ignore.excludes(ROOT.relativize(PATH).toString())).as(".dockerignore excludes %s", PATH).isFalse();
        for (String output : List.of(".git/HEAD", "gateway-core/target/classes/x.class",
                "gateway-egress/target/gateway-egress.jar", "docs/ARCHITECTURE.md")) {
            assertThat(ignore.excludes(output)).as(".dockerignore keeps %s out of the build context", output).isTrue();
        }
    }

    /** Runs {@code script} with bash as Docker runs the health check, within the check's {@code --timeout}. */
    private static int run(String script, Duration timeout) throws IOException, InterruptedException {
        Process process = new ProcessBuilder("bash", "-c", script).redirectErrorStream(true).start();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("the HEALTHCHECK script took longer than its --timeout " + timeout + ": "
                    + new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        }
        return process.exitValue();
    }
}
