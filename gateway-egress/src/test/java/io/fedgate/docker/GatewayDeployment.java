package io.fedgate.docker;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

import io.fedgate.core.cli.CommandLine;
import io.fedgate.core.cli.GatewayOptions;
import io.fedgate.core.gateway.GatewayRole;

/**
 * A {@code Deployment} of a gateway, read as the gateway and the kubelet read it: its gateway container, that
 * container's {@code args} parsed by the gateway's own command line (so options left out take the gateway's
 * defaults), its ports, probes, mounts and volumes.
 */
final class GatewayDeployment {
    /** The container that runs the gateway, when a pod has more than one. */
    static final String CONTAINER = "gateway";

    private final Manifest manifest;
    private final GatewayRole role;
    private final Map<String, Object> container;

    private GatewayDeployment(Manifest manifest, GatewayRole role, Map<String, Object> container) {
        this.manifest = manifest;
        this.role = role;
        this.container = container;
    }

    /**
     * The gateway of {@code deployment} in {@code role}: its only container, or the one named {@value #CONTAINER}.
     *
     * @throws AssertionError naming the Deployment if there is no such container
     */
    static GatewayDeployment of(Manifest deployment, GatewayRole role) {
        requireNonNull(role, "role");
        List<Object> containers = deployment.list("spec.template.spec.containers");
        Optional<Map<String, Object>> container = containers.size() == 1 ? Optional.of(Yaml.map(containers.get(0)))
                : containers.stream().map(Yaml::map)
                        .filter(candidate -> CONTAINER.equals(candidate.get("name"))).findFirst();
        if (container.isEmpty()) {
            throw new AssertionError(deployment.where("spec.template.spec.containers") + ": no container named "
                    + CONTAINER + " among " + containers.size());
        }
        return new GatewayDeployment(deployment, role, container.get());
    }

    Manifest manifest() {
        return manifest;
    }

    GatewayRole role() {
        return role;
    }

    String name() {
        return manifest.name();
    }

    String namespace() {
        return manifest.namespace();
    }

    /** {@link Manifest#where(String)} for a field of the gateway container. */
    String where(String containerField) {
        return manifest.where("spec.template.spec.containers[" + container.get("name") + "]." + containerField);
    }

    /** {@link Manifest#where(String)} for a field of the pod spec. */
    String podWhere(String podField) {
        return manifest.where("spec.template.spec." + podField);
    }

    Map<String, Object> container() {
        return container;
    }

    /** The pod spec of the template. */
    Map<String, Object> pod() {
        return manifest.map("spec.template.spec");
    }

    Map<String, Object> templateLabels() {
        return manifest.map("spec.template.metadata.labels");
    }

    List<String> args() {
        List<String> args = new ArrayList<>();
        Yaml.list(container.get("args")).forEach(arg -> args.add(String.valueOf(arg)));
        return args;
    }

    /** The {@code args} as the gateway parses them; problems (unknown or missing options) are in the result. */
    CommandLine.Parsed parsedArgs() {
        return GatewayOptions.commandLine(role.label(), "fedgate " + role.label()).parse(args().toArray(String[]::new));
    }

    /**
     * The gateway's options from {@code args}, defaults included.
     *
     * @throws AssertionError with the gateway's own complaints if it would refuse them
     */
    GatewayOptions options() {
        CommandLine.Parsed parsed = parsedArgs();
        GatewayOptions options = GatewayOptions.from(parsed);
        if (options == null) {
            throw new AssertionError(where("args") + ": fedgate " + role.label() + " refuses " + args() + ": "
                    + parsed.problems());
        }
        return options;
    }

    /** Container ports, {@code containerPort} by {@code name} (unnamed ones under their number). */
    Map<String, Integer> containerPorts() {
        Map<String, Integer> ports = new LinkedHashMap<>();
        for (Object port : Yaml.list(container.get("ports"))) {
            Object number = Yaml.map(port).get("containerPort");
            if (number instanceof Integer value) {
                ports.put(Yaml.string(port, "name").orElse(value.toString()), value);
            }
        }
        return ports;
    }

    /**
     * The container port a probe or a Service's {@code targetPort} means: a number must be declared, a name must
     * name a declared port.
     */
    OptionalInt resolvePort(Object numberOrName) {
        Map<String, Integer> ports = containerPorts();
        if (numberOrName instanceof Integer number) {
            return ports.containsValue(number) ? OptionalInt.of(number) : OptionalInt.empty();
        }
        Integer named = numberOrName == null ? null : ports.get(numberOrName.toString());
        return named == null ? OptionalInt.empty() : OptionalInt.of(named);
    }

    /** The container's {@code <kind>Probe} ({@code readiness}, {@code liveness}, {@code startup}), if set. */
    Optional<Map<String, Object>> probe(String kind) {
        Object probe = container.get(kind + "Probe");
        return probe == null ? Optional.empty() : Optional.of(Yaml.map(probe));
    }

    /** The container's volume mounts by {@code mountPath}. */
    Map<Path, Map<String, Object>> mountsByPath() {
        Map<Path, Map<String, Object>> mounts = new LinkedHashMap<>();
        for (Object mount : Yaml.list(container.get("volumeMounts"))) {
            Yaml.string(mount, "mountPath").ifPresent(path -> mounts.put(Path.of(path), Yaml.map(mount)));
        }
        return mounts;
    }

    /** The pod's volumes by name. */
    Map<String, Map<String, Object>> volumesByName() {
        Map<String, Map<String, Object>> volumes = new LinkedHashMap<>();
        for (Object volume : Yaml.list(pod().get("volumes"))) {
            Yaml.string(volume, "name").ifPresent(name -> volumes.put(name, Yaml.map(volume)));
        }
        return volumes;
    }

    /** The volume mounted at exactly {@code path}, if any. */
    Optional<Map<String, Object>> volumeMountedAt(Path path) {
        Map<String, Object> mount = mountsByPath().get(path);
        if (mount == null) {
            return Optional.empty();
        }
        return Yaml.string(mount, "name").map(volumesByName()::get);
    }

    /** A field of the container's {@code securityContext}, else the pod's. */
    Optional<Object> securityContext(String field) {
        Object own = Yaml.map(container.get("securityContext")).get(field);
        return Optional.ofNullable(own != null ? own : Yaml.map(pod().get("securityContext")).get(field));
    }

    /**
     * How long the {@code preStop} hook holds the pod before SIGTERM: {@code exec: [sleep, N]} or Kubernetes'
     * {@code sleep: {seconds: N}}; 0 without a hook.
     *
     * @throws AssertionError for another kind of hook, whose duration this cannot know
     */
    long preStopSeconds() {
        Map<String, Object> preStop = Yaml.map(Yaml.map(container.get("lifecycle")).get("preStop"));
        if (preStop.isEmpty()) {
            return 0;
        }
        Object seconds = Yaml.map(preStop.get("sleep")).get("seconds");
        if (seconds instanceof Integer value) {
            return value;
        }
        List<Object> command = Yaml.list(Yaml.map(preStop.get("exec")).get("command"));
        if (command.size() == 2 && "sleep".equals(command.get(0))) {
            return Long.parseLong(String.valueOf(command.get(1)));
        }
        throw new AssertionError(where("lifecycle.preStop") + ": " + preStop
                + " (expected: exec [sleep, N] or sleep.seconds, whose length is known)");
    }

    @Override
    public String toString() {
        return manifest.where();
    }
}
