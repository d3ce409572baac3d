package io.fedgate.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.fedgate.core.cli.GatewayOptions;
import io.fedgate.core.config.ConfigException;
import io.fedgate.core.config.ConfigLoader;
import io.fedgate.core.config.ConfigOptions;
import io.fedgate.core.config.ConfigProblem;
import io.fedgate.core.config.FederationConfig;
import io.fedgate.core.demo.Mesh;
import io.fedgate.core.gateway.GatewayContext;
import io.fedgate.core.gateway.GatewayRole;
import io.fedgate.core.gateway.GatewayStartup;
import io.fedgate.core.gateway.StartupException;
import io.fedgate.core.spiffe.SpiffeId;
import io.fedgate.core.tls.GatewayIdentity;

/**
 * The Kubernetes manifests under {@code docker/}, checked without a cluster: every document is well-formed, the
 * federation resources (standalone, and as the gateways read them from their config ConfigMap) pass the gateway's
 * own {@link ConfigLoader}, and the resources agree with each other, with the gateway's options and with the images
 * of {@code docker/Dockerfile}: names, selectors, ports, probes, mounts, drain and grace period, user.
 */
class KubernetesManifestsTest {
    private static final Path DOCKER = RepositoryRoot.dockerDirectory();
    private static final Manifests MANIFESTS = Manifests.load(DOCKER);
    private static final Dockerfile DOCKERFILE = Dockerfile.read(DOCKER.resolve("Dockerfile"));
    /** The kinds a ServiceMeshPeer brings along, which the gateways must read as they are applied. */
    private static final Set<String> FEDERATION_KINDS =
            Set.of("ServiceMeshPeer", "ExportedServiceSet", "ImportedServiceSet");

    @Test
    void everyDocumentParsesAndNamesItself() throws IOException {
        assertThat(MANIFESTS.failures()).as("YAML files under %s that do not parse", DOCKER).isEmpty();
        assertThat(MANIFESTS.ofKind("Deployment")).as("Deployments under %s", DOCKER).isNotEmpty();
        SoftAssertions softly = new SoftAssertions();
        for (String file : MANIFESTS.files()) {
            String first = Files.readAllLines(DOCKER.resolve(file)).stream().findFirst().orElse("");
            softly.assertThat(first).as("%s: first line, a comment saying what the file is", file).startsWith("# ");
        }
        for (Manifest document : MANIFESTS.all()) {
            String where = document.file() + " doc " + document.document();
            softly.assertThat(document.apiVersion()).as("%s: apiVersion", where).isNotBlank();
            softly.assertThat(document.kind()).as("%s: kind", where).isNotBlank();
            softly.assertThat(document.name()).as("%s: metadata.name", where).isNotBlank();
        }
        softly.assertAll();
    }

    @Test
    void kustomizationListsEveryManifestBesideIt() throws IOException {
        List<Manifest> kustomizations = MANIFESTS.ofKind("Kustomization");
        assertThat(kustomizations).as("Kustomizations under %s", DOCKER).isNotEmpty();
        for (Manifest kustomization : kustomizations) {
            Path directory = DOCKER.resolve(kustomization.file()).getParent();
            Set<String> beside;
            try (Stream<Path> files = Files.list(directory)) {
                beside = files.map(path -> path.getFileName().toString())
                        .filter(name -> name.matches(".*\\.ya?ml") && !name.equals("kustomization.yaml"))
                        .collect(Collectors.toCollection(TreeSet::new));
            }
            Set<String> resources = kustomization.list("resources").stream().map(String::valueOf)
                    .collect(Collectors.toCollection(TreeSet::new));
            assertThat(resources).as("%s: the YAML files of %s", kustomization.where("resources"), directory)
                    .isEqualTo(beside);
        }
    }

    @Test
    void manifestDirectoriesLoadAsGatewayConfigDirectories() {
        for (Manifest peer : standalonePeers()) {
            Path directory = DOCKER.resolve(peer.file()).getParent();
            FederationConfig config = load(directory, peer.namespace(), directory.toString());
            assertThat(config.peer(peer.name())).as("%s as loaded by the gateway", peer.where()).isPresent();
            for (ConfigProblem warning : config.warnings()) {
                // kubectl apply and --config-dir take the same directory: the kinds fedgate does not read are
                // skipped, and anything else the loader warns about would be a real mistake.
                assertThat(warning.field() + ": " + warning.message())
                        .as("%s: warning %s", directory, warning).matches("kind: .* is not used by fedgate; ignored.*");
            }
        }
    }

    @Test
    void configMapFilesLoadCleanlyAndCopyTheirOriginals(@TempDir Path tmp) throws IOException {
        List<GatewayDeployment> gateways = gateways();
        for (GatewayDeployment gateway : gateways) {
            Manifest configMap = mountedConfigMap(gateway);
            Path directory = writeData(configMap, tmp.resolve(gateway.name()));
            FederationConfig config = load(directory, gateway.namespace(), configMap.where("data"));
            assertThat(config.warnings()).as("%s: warnings of the gateway's config", configMap.where("data"))
                    .isEmpty();
            assertThat(gateway.role().peersServedBy(config, gateway.name()))
                    .as("%s: ServiceMeshPeers whose spec.gateways.%s.name is %s", configMap.where("data"),
                            gateway.role().label(), gateway.name())
                    .isNotEmpty();

            List<Manifest> embedded = embeddedDocuments(configMap);
            for (Manifest copy : embedded) {
                Optional<Manifest> original = MANIFESTS.find(copy.kind(), copy.namespace(), copy.name());
                original.ifPresent(standalone -> assertThat(copy.body())
                        .as("%s: %s differs from %s", configMap.where("data." + copy.file()), copy.kind(),
                                standalone.where())
                        .isEqualTo(standalone.body()));
            }
            for (Manifest standalone : MANIFESTS.all()) {
                if (standalone.namespace().equals(gateway.namespace()) && readByGateway(standalone)) {
                    assertThat(embedded.stream().anyMatch(copy -> copy.kind().equals(standalone.kind())
                            && copy.name().equals(standalone.name())))
                            .as("%s has a copy in %s", standalone.where(), configMap.where("data")).isTrue();
                }
            }
        }
    }

    @Test
    void deploymentsAreTheGatewaysTheirServiceMeshPeerNames() {
        assertThat(standalonePeers()).as("ServiceMeshPeers under %s", DOCKER).isNotEmpty();
        for (Manifest peer : standalonePeers()) {
            for (String field : List.of("spec.gateways.ingress.name", "spec.gateways.egress.name")) {
                String gateway = peer.string(field).orElse("");
                assertThat(MANIFESTS.find("Deployment", peer.namespace(), gateway))
                        .as("%s: a Deployment %s/%s", peer.where(field), peer.namespace(), gateway).isPresent();
            }
        }
        for (Manifest deployment : MANIFESTS.ofKind("Deployment")) {
            assertThat(roleOf(deployment)).as("%s: a ServiceMeshPeer of %s naming it as a gateway",
                    deployment.where(), deployment.namespace()).isPresent();
        }
    }

    @Test
    void serviceAccountsExistAndCarryTheGatewaysIdentity() {
        for (GatewayDeployment gateway : gateways()) {
            String account = Yaml.string(gateway.pod(), "serviceAccountName").orElse("");
            assertThat(MANIFESTS.find("ServiceAccount", gateway.namespace(), account))
                    .as("%s: a ServiceAccount %s/%s", gateway.podWhere("serviceAccountName"),
                            gateway.namespace(), account)
                    .isPresent();
            // Istio's convention, which a peer's default clientID (and the reference's example) relies on.
            assertThat(account).as("%s: serviceAccountName", gateway.manifest().where())
                    .isEqualTo(gateway.name() + "-service-account");
        }
    }

    @Test
    void containerArgsAreTheOptionsOfTheGatewayThePeerNames() {
        for (GatewayDeployment gateway : gateways()) {
            GatewayOptions options = gateway.options();
            assertThat(options.name()).as("%s --name", gateway.where("args")).isEqualTo(gateway.name());
            assertThat(options.namespace()).as("%s --namespace", gateway.where("args")).isEqualTo(gateway.namespace());
            assertThat(gateway.container()).as("%s: the image's ENTRYPOINT (fedgate %s) must run",
                    gateway.where("command"), gateway.role().label()).doesNotContainKey("command");
            assertThat(Yaml.string(gateway.container(), "image").orElse(""))
                    .as("%s", gateway.where("image")).contains("gateway-" + gateway.role().label() + ":");
        }
    }

    @Test
    void containerPortsAreTheGatewaysListeners() {
        for (GatewayDeployment gateway : gateways()) {
            GatewayOptions options = gateway.options();
            assertThat(new TreeSet<>(gateway.containerPorts().values()))
                    .as("%s: containerPort numbers, against --service-port, --discovery-port, --admin-port %s",
                            gateway.where("ports"), gateway.args())
                    .containsExactlyInAnyOrder(options.servicePort(), options.discoveryPort(), options.adminPort());
        }
    }

    @Test
    void servicesSelectOneGatewayAndTargetItsServiceAndDiscoveryListeners() {
        List<Manifest> services = MANIFESTS.ofKind("Service");
        assertThat(services).as("Services under %s", DOCKER).isNotEmpty();
        for (Manifest service : services) {
            Map<String, Object> selector = service.map("spec.selector");
            assertThat(selector).as("%s", service.where("spec.selector")).isNotEmpty();
            List<GatewayDeployment> selected = gateways().stream()
                    .filter(gateway -> gateway.namespace().equals(service.namespace())
                            && gateway.templateLabels().entrySet().containsAll(selector.entrySet()))
                    .toList();
            assertThat(selected).as("%s %s: Deployments whose pod template labels it matches",
                    service.where("spec.selector"), selector).hasSize(1);
            GatewayDeployment gateway = selected.get(0);
            GatewayOptions options = gateway.options();

            Set<Integer> targets = new HashSet<>();
            List<Object> ports = service.list("spec.ports");
            for (int i = 0; i < ports.size(); i++) {
                Map<String, Object> port = Yaml.map(ports.get(i));
                Object targetPort = port.getOrDefault("targetPort", port.get("port"));
                OptionalInt container = gateway.resolvePort(targetPort);
                assertThat(container).as("%s %s: a container port of %s",
                        service.where("spec.ports[" + i + "].targetPort"), targetPort, gateway.manifest().where())
                        .isPresent();
                // Peers and workloads dial the gateway's own port numbers (a peer's remote ports default to them).
                assertThat(port.get("port")).as("%s", service.where("spec.ports[" + i + "].port"))
                        .isEqualTo(container.getAsInt());
                targets.add(container.getAsInt());
            }
            assertThat(targets).as("%s: the listeners of %s (--service-port, --discovery-port)",
                    service.where("spec.ports"), gateway.manifest().where())
                    .containsExactlyInAnyOrder(options.servicePort(), options.discoveryPort());
        }
    }

    @Test
    void probesAskTheAdminListener() {
        for (GatewayDeployment gateway : gateways()) {
            int admin = gateway.options().adminPort();
            Map<String, Object> readiness = gateway.probe("readiness")
                    .orElseThrow(() -> new AssertionError(gateway.where("readinessProbe") + ": missing"));
            assertThat(Yaml.string(readiness.get("httpGet"), "path"))
                    .as("%s", gateway.where("readinessProbe.httpGet.path")).contains("/healthz/ready");
            assertThat(gateway.probe("liveness")).as("%s", gateway.where("livenessProbe")).isPresent();
            for (String kind : List.of("readiness", "liveness", "startup")) {
                gateway.probe(kind).ifPresent(probe -> {
                    Object port = Yaml.map(probe.getOrDefault("httpGet", probe.get("tcpSocket"))).get("port");
                    assertThat(gateway.resolvePort(port)).as("%s %s, against --admin-port", gateway.where(kind
                            + "Probe.port"), port).hasValue(admin);
                });
            }
        }
    }

    @Test
    void mountsAreWhereTheGatewayReadsConfigAndCertificates() throws IOException {
        String readme = Files.readString(DOCKER.resolve("README.md"));
        for (GatewayDeployment gateway : gateways()) {
            GatewayOptions options = gateway.options();
            for (Map.Entry<Path, Map<String, Object>> mount : gateway.mountsByPath().entrySet()) {
                String volume = Yaml.string(mount.getValue(), "name").orElse("");
                assertThat(gateway.volumesByName()).as("%s %s: a volume of the pod", gateway.where("volumeMounts"),
                        mount.getKey()).containsKey(volume);
            }

            mountedConfigMap(gateway); // exists, or fails naming what is missing

            Path certs = options.certChain().getParent();
            assertThat(List.of(options.key().getParent(), options.rootCert().getParent()))
                    .as("%s: --key and --root-cert in the directory of --cert-chain %s", gateway.where("args"), certs)
                    .containsOnly(certs);
            assertThat(List.of(options.certChain(), options.key(), options.rootCert()).stream()
                    .map(path -> path.getFileName().toString()).toList())
                    .as("%s: Istio's file names", gateway.where("args"))
                    .containsExactly(GatewayIdentity.CERT_CHAIN_FILE, GatewayIdentity.KEY_FILE,
                            GatewayIdentity.ROOT_CERT_FILE);
            Map<String, Object> certVolume = gateway.volumeMountedAt(certs).orElseThrow(() -> new AssertionError(
                    gateway.where("volumeMounts") + ": nothing mounted at " + certs + " (--cert-chain "
                            + options.certChain() + ")"));
            String secret = Yaml.string(certVolume.get("secret"), "secretName").orElseThrow(() -> new AssertionError(
                    gateway.podWhere("volumes") + ": the volume at " + certs + " is not a Secret: " + certVolume));
            assertThat(Yaml.map(certVolume.get("secret")))
                    .as("%s: a Secret volume with items would rename Istio's files",
                            gateway.podWhere("volumes[" + certVolume.get("name") + "]"))
                    .doesNotContainKey("items");
            assertThat(MANIFESTS.find("Secret", gateway.namespace(), secret).isPresent() || readme.contains(secret))
                    .as("%s: Secret %s is neither under docker/ nor documented in docker/README.md as created outside",
                            gateway.podWhere("volumes[" + certVolume.get("name") + "]"), secret)
                    .isTrue();

            if (Boolean.TRUE.equals(gateway.securityContext("readOnlyRootFilesystem").orElse(false))) {
                Map<String, Object> tmp = gateway.volumeMountedAt(Path.of("/tmp")).orElse(Map.of());
                assertThat(tmp).as("%s: with a read-only root file system, an emptyDir at /tmp for the JVM and "
                        + "Netty's native libraries", gateway.where("volumeMounts")).containsKey("emptyDir");
            }
        }
    }

    @Test
    void gracePeriodCoversPreStopAndDrain() {
        for (GatewayDeployment gateway : gateways()) {
            long drain = gateway.options().drainTimeout().toSeconds();
            long preStop = gateway.preStopSeconds();
            Object grace = gateway.pod().getOrDefault("terminationGracePeriodSeconds", 30);
            assertThat(grace).as("%s", gateway.podWhere("terminationGracePeriodSeconds"))
                    .isInstanceOf(Integer.class);
            assertThat((Integer) grace)
                    .as("%s: more than preStop %d s + --drain-timeout %d s (default %s), or the kubelet kills "
                                    + "the gateway mid-drain",
                            gateway.podWhere("terminationGracePeriodSeconds"), preStop, drain,
                            GatewayOptions.DEFAULT_DRAIN_TIMEOUT)
                    .isGreaterThan((int) (preStop + drain));
        }
    }

    @Test
    void podsRunAsTheImagesNonRootUser() {
        for (GatewayDeployment gateway : gateways()) {
            String target = gateway.role().label();
            String user = DOCKERFILE.last(target, "USER").map(Dockerfile.Instruction::arguments)
                    .orElseThrow(() -> new AssertionError(DOCKERFILE.path() + " target " + target + ": no USER"));
            String[] uidGid = user.split(":");
            assertThat(gateway.securityContext("runAsNonRoot")).as("%s", gateway.where("securityContext.runAsNonRoot"))
                    .contains(true);
            assertThat(gateway.securityContext("runAsUser").map(String::valueOf))
                    .as("%s, against USER %s of %s", gateway.where("securityContext.runAsUser"), user,
                            DOCKERFILE.path())
                    .contains(uidGid[0]);
            gateway.securityContext("fsGroup").ifPresent(fsGroup -> assertThat(String.valueOf(fsGroup))
                    .as("%s (lets the user read key.pem), against USER %s of %s",
                            gateway.where("securityContext.fsGroup"), user, DOCKERFILE.path())
                    .isEqualTo(uidGid.length > 1 ? uidGid[1] : uidGid[0]));
            assertThat(gateway.securityContext("allowPrivilegeEscalation"))
                    .as("%s", gateway.where("securityContext.allowPrivilegeEscalation")).contains(false);
        }
    }

    @Test
    void deploymentsPassTheGatewaysStartupChecks(@TempDir Path tmp) throws IOException {
        for (GatewayDeployment gateway : gateways()) {
            GatewayOptions options = gateway.options();
            Path root = tmp.resolve(gateway.name());
            // The pod's mounts, made here: the config ConfigMap's files, and an SVID minted by a stand-in for the
            // mesh's CA for the pod's ServiceAccount, as Istio would issue it.
            Path config = writeData(mountedConfigMap(gateway), root.resolve("config"));
            Path certs = root.resolve("certs");
            Mesh mesh = Mesh.create(ConfigOptions.of(gateway.namespace()).meshName().orElseThrow(() ->
                    new AssertionError(gateway.manifest().where("metadata.namespace") + ": not <mesh>-system")));
            String account = Yaml.string(gateway.pod(), "serviceAccountName").orElse("default");
            SpiffeId id = mesh.id(account);
            mesh.ca().issueSvid(id).writeIstioFiles(certs);

            List<String> args = withoutPathOptions(gateway.args());
            args.addAll(List.of("--config-dir", config.toString(),
                    "--cert-chain", certs.resolve(options.certChain().getFileName()).toString(),
                    "--key", certs.resolve(options.key().getFileName()).toString(),
                    "--root-cert", certs.resolve(options.rootCert().getFileName()).toString()));
            GatewayOptions local = GatewayOptions.from(GatewayOptions.commandLine(gateway.role().label(), "test")
                    .parse(args.toArray(String[]::new)));
            try {
                GatewayContext context = GatewayStartup.prepare(gateway.role(), local);
                assertThat(context.peerNames()).as("%s: peers served", gateway.manifest().where()).isNotEmpty();
                assertThat(context.identity().spiffeId()).isEqualTo(id);
            } catch (StartupException e) {
                fail("%s: fedgate %s %s would not start: %s", gateway.manifest().where(), gateway.role().label(),
                        gateway.args(), e.problems());
            }
        }
    }

    // --- helpers ---

    private static List<Manifest> standalonePeers() {
        return MANIFESTS.ofKind("ServiceMeshPeer");
    }

    /** Which gateway the ServiceMeshPeers of its namespace make {@code deployment}, if any. */
    private static Optional<GatewayRole> roleOf(Manifest deployment) {
        for (Manifest peer : standalonePeers()) {
            if (peer.namespace().equals(deployment.namespace())) {
                for (GatewayRole role : GatewayRole.values()) {
                    if (peer.string("spec.gateways." + role.label() + ".name").orElse("").equals(deployment.name())) {
                        return Optional.of(role);
                    }
                }
            }
        }
        return Optional.empty();
    }

    private static List<GatewayDeployment> gateways() {
        List<GatewayDeployment> gateways = new ArrayList<>();
        for (Manifest deployment : MANIFESTS.ofKind("Deployment")) {
            GatewayRole role = roleOf(deployment).orElseThrow(() -> new AssertionError(deployment.where()
                    + ": no ServiceMeshPeer of " + deployment.namespace() + " names it as a gateway"));
            gateways.add(GatewayDeployment.of(deployment, role));
        }
        assertThat(gateways).as("gateway Deployments under %s", DOCKER).isNotEmpty();
        return gateways;
    }

    /** The ConfigMap mounted at the gateway's {@code --config-dir}; fails naming what is missing. */
    private static Manifest mountedConfigMap(GatewayDeployment gateway) {
        Path configDir = gateway.options().configDir();
        Map<String, Object> volume = gateway.volumeMountedAt(configDir).orElseThrow(() -> new AssertionError(
                gateway.where("volumeMounts") + ": nothing mounted at --config-dir " + configDir));
        String name = Yaml.string(volume.get("configMap"), "name").orElseThrow(() -> new AssertionError(
                gateway.podWhere("volumes[" + volume.get("name") + "]") + ": mounted at --config-dir " + configDir
                        + " but not a ConfigMap: " + volume));
        return MANIFESTS.find("ConfigMap", gateway.namespace(), name).orElseThrow(() -> new AssertionError(
                gateway.podWhere("volumes[" + volume.get("name") + "]") + ": ConfigMap " + gateway.namespace() + "/"
                        + name + " is not under " + DOCKER));
    }

    /** The ConfigMap's data written as the kubelet would mount it: one file per key. */
    private static Path writeData(Manifest configMap, Path directory) throws IOException {
        Files.createDirectories(directory);
        for (Map.Entry<String, Object> entry : configMap.map("data").entrySet()) {
            assertThat(entry.getKey()).as("%s: a key of the config directory", configMap.where("data"))
                    .matches("[-._a-zA-Z0-9]+\\.ya?ml");
            Files.writeString(directory.resolve(entry.getKey()), String.valueOf(entry.getValue()));
        }
        return directory;
    }

    private static List<Manifest> embeddedDocuments(Manifest configMap) {
        List<Manifest> documents = new ArrayList<>();
        for (Map.Entry<String, Object> entry : configMap.map("data").entrySet()) {
            documents.addAll(Manifests.parse(entry.getKey(), String.valueOf(entry.getValue())));
        }
        return documents;
    }

    /** Whether a gateway reads this resource: a federation kind, or the root ConfigMap a ServiceMeshPeer names. */
    private static boolean readByGateway(Manifest document) {
        if (FEDERATION_KINDS.contains(document.kind())) {
            return true;
        }
        return document.kind().equals("ConfigMap") && standalonePeers().stream()
                .anyMatch(peer -> peer.namespace().equals(document.namespace())
                        && peer.string("spec.security.certificateChain.name").orElse("").equals(document.name()));
    }

    private static FederationConfig load(Path directory, String namespace, String what) {
        try {
            return new ConfigLoader(ConfigOptions.of(namespace)).load(directory);
        } catch (ConfigException e) {
            throw new AssertionError(what + ": the gateway's ConfigLoader refuses it: " + e.problems(), e);
        }
    }

    /** {@code args} without the options naming files, in either {@code --opt value} or {@code --opt=value} form. */
    private static List<String> withoutPathOptions(List<String> args) {
        Set<String> paths = Set.of("--config-dir", "--cert-chain", "--key", "--root-cert");
        List<String> kept = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            String option = arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg;
            if (paths.contains(option)) {
                if (!arg.contains("=")) {
                    i++; // and its value
                }
                continue;
            }
            kept.add(arg);
        }
        return kept;
    }
}
