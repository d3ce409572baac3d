package io.fedgate.core.metrics;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import io.fedgate.core.gateway.GatewayRole;

/**
 * Every meter a gateway exports, declared in one place: their names are public API (dashboards and alerts depend
 * on them). The standard TCP meters keep Istio's names so existing Istio dashboards work; fedgate's own are
 * {@code fedgate.<role>.<side>.<object>.<event>} with outcomes as tags. Micrometer's Prometheus registry renders
 * them in snake case ({@code fedgate_ingress_downstream_cx_refused_total}).
 *
 * <p>Counters are looked up once per tag combination and cached; updating one is a lock-free add, so the relay
 * reports its byte counts when a connection closes without touching a lock on the data path.
 */
public final class GatewayMetrics {
    private final MeterRegistry registry;
    private final String role;
    private final ConcurrentMap<Tags, Counter> refusals = new ConcurrentHashMap<>();
    private final ConcurrentMap<Tags, Counter> connectFailures = new ConcurrentHashMap<>();
    private final ConcurrentMap<Tags, ConnectionMeters> connections = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, Timer> handshakes = new ConcurrentHashMap<>();
    private final ConcurrentMap<Tags, Counter> resyncs = new ConcurrentHashMap<>();
    private final ConcurrentMap<Tags, Counter> dataRefusals = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, Counter> reloads = new ConcurrentHashMap<>();

    /** Handshake histogram buckets: a loopback handshake takes about a millisecond, a WAN one tens to hundreds. */
    private static final Duration[] HANDSHAKE_BUCKETS = {
        Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25),
        Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500),
        Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10)};

    public GatewayMetrics(MeterRegistry registry, GatewayRole role) {
        this.registry = requireNonNull(registry, "registry");
        this.role = requireNonNull(role, "role").label();
    }

    /** A registry that renders Prometheus text, as the admin listener serves it. */
    public static PrometheusMeterRegistry newPrometheusRegistry() {
        return new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    }

    public MeterRegistry registry() {
        return registry;
    }

    /**
     * A downstream connection was refused before any byte was relayed.
     *
     * @param listener e.g. {@code service} or {@code discovery}
     * @param reason   a reason code ({@code spiffe-id-mismatch}, {@code unknown-sni}, ...); rendered in snake case
     * @param peer     the peer the connection was for, or {@code unknown}
     */
    public void downstreamRefused(String listener, String reason, String peer) {
        Tags tags = Tags.of("listener", listener, "reason", snakeCase(reason), "peer", peer);
        refusals.computeIfAbsent(tags, t -> Counter.builder("fedgate." + role + ".downstream.cx.refused")
                .description("Downstream connections refused, by reason")
                .tags(t)
                .register(registry)).increment();
    }

    /** An attempt to connect to one upstream endpoint of {@code service} failed. */
    public void upstreamConnectFailed(String service) {
        Tags tags = Tags.of("destination_service", service);
        connectFailures.computeIfAbsent(tags, t -> Counter.builder("fedgate." + role + ".upstream.cx.connect.failures")
                .description("Failed attempts to connect to an upstream endpoint")
                .tags(t)
                .register(registry)).increment();
    }

    /** Exports {@code count} as the number of open downstream connections of {@code listener}. */
    public void activeConnections(String listener, AtomicInteger count) {
        Gauge.builder("fedgate." + role + ".downstream.cx.active", count, AtomicInteger::get)
                .description("Downstream connections open now")
                .tag("listener", listener)
                .register(registry);
    }

    /** A downstream's TLS handshake succeeded {@code nanos} after the connection was accepted. */
    public void downstreamHandshake(String listener, long nanos) {
        handshakes.computeIfAbsent(listener, name -> Timer.builder("fedgate." + role + ".downstream.tls.handshake")
                .description("Successful downstream TLS handshakes, by duration")
                .tag("listener", name)
                .serviceLevelObjectives(HANDSHAKE_BUCKETS)
                .register(registry)).record(nanos, TimeUnit.NANOSECONDS);
    }

    /** Exports the state of the discovery watch of {@code peer}: 1 while connected, 0 otherwise. */
    public void watchConnected(String peer, Supplier<Boolean> connected) {
        Gauge.builder("fedgate." + role + ".discovery.watch.connected", connected, c -> c.get() ? 1 : 0)
                .description("Whether the discovery watch of the peer is connected")
                .tag("peer", peer)
                .strongReference(true)
                .register(registry);
    }

    /**
     * A full discovery resync of {@code peer}'s services.
     *
     * @param cause {@code connected}, {@code checksum-mismatch}, {@code resync-event}, {@code periodic}
     */
    public void discoveryResync(String peer, String cause) {
        countByPeerAndCause(resyncs, "discovery.resyncs", "Full resyncs of a peer's services, by cause", peer, cause);
    }

    /**
     * A list, watch answer or watch event from {@code peer}'s discovery server was refused, never applied.
     *
     * @param cause {@code too-large}, {@code unreadable}, {@code schema-invalid}, {@code truncated}; rendered in snake
     *              case
     */
    public void discoveryDataRefused(String peer, String cause) {
        countByPeerAndCause(dataRefusals, "discovery.data.refused",
                "Discovery answers and watch events of a peer refused, by cause", peer, cause);
    }

    private void countByPeerAndCause(ConcurrentMap<Tags, Counter> counters, String name, String description,
                                     String peer, String cause) {
        Tags tags = Tags.of("peer", peer, "cause", snakeCase(cause));
        counters.computeIfAbsent(tags, t -> Counter.builder("fedgate." + role + "." + name)
                .description(description)
                .tags(t)
                .register(registry)).increment();
    }

    /** A reload of config and certificates finished: {@code applied} or {@code refused}. */
    public void configReload(String result) {
        reloads.computeIfAbsent(result, r -> Counter.builder("fedgate." + role + ".config.reloads")
                .description("Reloads of the config directory and certificate files, by result")
                .tag("result", r)
                .register(registry)).increment();
    }

    /** Exports how many access-log lines were dropped because the writer fell behind. */
    public void accessLogDropped(Supplier<Long> dropped) {
        Gauge.builder("fedgate." + role + ".access.log.dropped", dropped, d -> d.get())
                .description("Access log lines dropped because the writer fell behind")
                .strongReference(true)
                .register(registry);
    }

    /** A relayed connection opened. */
    public void connectionOpened(String peer, String direction, String service) {
        meters(peer, direction, service).opened.increment();
    }

    /**
     * A relayed connection closed after relaying the given bytes.
     *
     * @param sent     bytes sent to the downstream (Istio's "sent" is from the proxy to the connection's client)
     * @param received bytes received from the downstream
     */
    public void connectionClosed(String peer, String direction, String service, long sent, long received) {
        ConnectionMeters meters = meters(peer, direction, service);
        meters.closed.increment();
        meters.sent.increment(sent);
        meters.received.increment(received);
    }

    private ConnectionMeters meters(String peer, String direction, String service) {
        Tags tags = Tags.of("peer", peer, "direction", direction, "destination_service", service);
        return connections.computeIfAbsent(tags, t -> new ConnectionMeters(registry, t));
    }

    static String snakeCase(String code) {
        return code.toLowerCase(Locale.ROOT).replace('-', '_');
    }

    /** Istio's standard TCP meters for one tag combination. */
    private static final class ConnectionMeters {
        final Counter opened;
        final Counter closed;
        final Counter sent;
        final Counter received;

        ConnectionMeters(MeterRegistry registry, Tags tags) {
            opened = Counter.builder("istio.tcp.connections.opened").tags(tags)
                    .description("Connections opened").register(registry);
            closed = Counter.builder("istio.tcp.connections.closed").tags(tags)
                    .description("Connections closed").register(registry);
            sent = Counter.builder("istio.tcp.sent.bytes").tags(tags).baseUnit("bytes")
                    .description("Bytes sent to the downstream").register(registry);
            received = Counter.builder("istio.tcp.received.bytes").tags(tags).baseUnit("bytes")
                    .description("Bytes received from the downstream").register(registry);
        }
    }
}
