package io.fedgate.core.discovery;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;

import io.fedgate.core.config.FederationConfig;
import io.fedgate.core.config.PeerConfig;

/**
 * The discovery state of an exporting gateway: the current {@link ServiceListMessage} of every served peer, the
 * {@link DiscoveryWatcher}s watching each, and the {@link RemoteWatchStatus} of every remote that watched or fetched
 * recently.
 *
 * <p>{@link #update(FederationConfig)} recomputes every served peer's list ({@link ExportCatalog}) and pushes the
 * {@link ExportCatalog#diff difference} to that peer's watchers. A peer that is no longer served (removed, or no
 * longer matching the served-peer filter) gets, as in the reference, a {@code delete} for every service and then the
 * end of each of its watches. {@link #close()} ends every watch without deletes.
 *
 * <p>Thread safety: every method may be called from any thread. One lock guards all state; lists are immutable
 * values, so a list handed out stays consistent. Watchers are called with the lock held, which is what keeps each
 * watcher's events in change order and makes registering atomic with respect to updates (a watcher sees every change
 * made after {@link #watch} returned, and none before). Hence watchers must only hand events on, never block.
 */
public final class DiscoveryServer implements AutoCloseable {
    /** How long a remote's status is kept after its last watch ended (the reference's 5 minutes). */
    public static final Duration DEFAULT_REMOTE_RETENTION = Duration.ofMinutes(5);

    private final Object lock = new Object();
    /** Serializes updates, so that lists computed outside {@link #lock} are applied in call order. */
    private final Object updateLock = new Object();
    private final Predicate<PeerConfig> servedPeers;
    private final Function<PeerConfig, ? extends Collection<String>> serviceAccounts;
    private final Clock clock;
    private final Duration remoteRetention;

    // Guarded by lock.
    private final Map<String, PeerState> peers = new LinkedHashMap<>();
    private final Map<RemoteKey, RemoteState> remotes = new LinkedHashMap<>();
    private boolean closed;

    private DiscoveryServer(Builder builder, FederationConfig config) {
        this.servedPeers = builder.servedPeers;
        this.serviceAccounts = requireNonNull(builder.serviceAccounts, "serviceAccounts (not set)");
        this.clock = builder.clock;
        this.remoteRetention = builder.remoteRetention;
        update(config);
    }

    /** A builder; {@link Builder#build(FederationConfig)} starts serving a configuration. */
    public static Builder builder() {
        return new Builder();
    }

    /** The names of the served peers, in configuration order. */
    public List<String> peers() {
        synchronized (lock) {
            return List.copyOf(peers.keySet());
        }
    }

    /** Whether {@code peer} is served. */
    public boolean serves(String peer) {
        requireNonNull(peer, "peer");
        synchronized (lock) {
            return peers.containsKey(peer);
        }
    }

    /** The current list of {@code peer}; empty if it is not served. Records nothing. */
    public Optional<ServiceListMessage> serviceList(String peer) {
        requireNonNull(peer, "peer");
        synchronized (lock) {
            return Optional.ofNullable(peers.get(peer)).map(state -> state.list);
        }
    }

    /**
     * The current list of {@code peer} for a full sync by {@code source}, whose {@code lastFullSync} is recorded;
     * empty (and nothing recorded) if the peer is not served.
     */
    public Optional<ServiceListMessage> fullSync(String peer, String source) {
        requireNonNull(peer, "peer");
        requireNonNull(source, "source");
        synchronized (lock) {
            PeerState state = peers.get(peer);
            if (state == null) {
                return Optional.empty();
            }
            Instant now = clock.instant();
            remotes.computeIfAbsent(new RemoteKey(peer, source), key -> new RemoteState()).lastFullSync = now;
            prune(now);
            return Optional.of(state.list);
        }
    }

    /**
     * Registers {@code watcher} for the changes of {@code peer}'s list, on behalf of remote {@code source}, whose
     * status turns connected. Close the returned watch when the remote goes away; the server ends it itself when the
     * peer goes away or the server closes. Empty, and nothing registered, if the peer is not served or the server
     * is closed.
     */
    public Optional<Watch> watch(String peer, String source, DiscoveryWatcher watcher) {
        requireNonNull(peer, "peer");
        requireNonNull(source, "source");
        requireNonNull(watcher, "watcher");
        synchronized (lock) {
            PeerState state = peers.get(peer);
            if (state == null || closed) {
                return Optional.empty();
            }
            Instant now = clock.instant();
            RemoteState remote = remotes.computeIfAbsent(new RemoteKey(peer, source), key -> new RemoteState());
            remote.activeWatches++;
            remote.lastConnected = now;
            Watch watch = new Watch(peer, source, watcher);
            state.watches.add(watch);
            return Optional.of(watch);
        }
    }

    /**
     * Switches to {@code config}: recomputes every served peer's list and pushes the changes to its watchers; ends
     * the watches of peers no longer served after deleting their services. Ignored once closed.
     */
    public void update(FederationConfig config) {
        requireNonNull(config, "config");
        synchronized (updateLock) {
            // Lists are computed outside the state lock (they depend only on the immutable config), so readers and
            // watch registrations are not held up by the computation.
            Map<String, ServiceListMessage> lists = new LinkedHashMap<>();
            for (PeerConfig peer : config.peers()) {
                if (servedPeers.test(peer)) {
                    lists.put(peer.name(), ExportCatalog.serviceList(config, peer.name(),
                            serviceAccounts.apply(peer)));
                }
            }
            apply(lists);
        }
    }

    private void apply(Map<String, ServiceListMessage> lists) {
        synchronized (lock) {
            if (closed) {
                return;
            }
            for (Iterator<Map.Entry<String, PeerState>> it = peers.entrySet().iterator(); it.hasNext(); ) {
                Map.Entry<String, PeerState> entry = it.next();
                if (!lists.containsKey(entry.getKey())) {
                    it.remove();
                    PeerState gone = entry.getValue();
                    gone.push(ExportCatalog.diff(gone.list, ServiceListMessage.EMPTY));
                    gone.endWatches();
                }
            }
            lists.forEach((name, list) -> {
                PeerState state = peers.get(name);
                if (state == null) {
                    peers.put(name, new PeerState(list));
                } else {
                    List<WatchEvent> events = ExportCatalog.diff(state.list, list);
                    state.list = list;
                    state.push(events);
                }
            });
            prune(clock.instant());
        }
    }

    /**
     * The status of every remote that watched or fetched a list recently, by peer then source. Entries whose last
     * watch ended more than the retention ago are dropped.
     */
    public List<RemoteWatchStatus> remotes() {
        synchronized (lock) {
            prune(clock.instant());
            List<RemoteWatchStatus> statuses = new ArrayList<>(remotes.size());
            remotes.forEach((key, state) -> statuses.add(new RemoteWatchStatus(key.peer(), key.source(),
                    state.activeWatches > 0, state.activeWatches, Optional.ofNullable(state.lastConnected),
                    Optional.ofNullable(state.lastFullSync), Optional.ofNullable(state.lastDisconnected))));
            statuses.sort(Comparator.comparing(RemoteWatchStatus::peer).thenComparing(RemoteWatchStatus::source));
            return statuses;
        }
    }

    /** Whether {@link #close()} was called: watches are then refused. */
    public boolean isClosed() {
        synchronized (lock) {
            return closed;
        }
    }

    /** How many watches of {@code peer} are registered. */
    public int watchCount(String peer) {
        requireNonNull(peer, "peer");
        synchronized (lock) {
            PeerState state = peers.get(peer);
            return state == null ? 0 : state.watches.size();
        }
    }

    /** Ends every watch (no deletes are sent) and stops serving: later watches are refused, updates ignored. */
    @Override
    public void close() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            peers.values().forEach(PeerState::endWatches);
        }
    }

    // Guarded by lock.
    private void prune(Instant now) {
        remotes.values().removeIf(state -> state.activeWatches == 0
                && !latest(state.lastDisconnected, state.lastFullSync).plus(remoteRetention).isAfter(now));
    }

    private static Instant latest(Instant a, Instant b) {
        if (a == null) {
            return b == null ? Instant.MIN : b;
        }
        return b == null || a.isAfter(b) ? a : b;
    }

    /** One registered watch: close it when the remote disconnects. */
    public final class Watch implements AutoCloseable {
        private final String peer;
        private final String source;
        private final DiscoveryWatcher watcher;
        private boolean closed; // Guarded by lock.

        private Watch(String peer, String source, DiscoveryWatcher watcher) {
            this.peer = peer;
            this.source = source;
            this.watcher = watcher;
        }

        /** The watched peer. */
        public String peer() {
            return peer;
        }

        /** The remote watching. */
        public String source() {
            return source;
        }

        /** Unregisters the watcher (no {@code onEnd}) and records the disconnect; idempotent. */
        @Override
        public void close() {
            synchronized (lock) {
                if (closed) {
                    return;
                }
                closed = true;
                PeerState state = peers.get(peer);
                if (state != null) {
                    state.watches.remove(this);
                }
                RemoteState remote = remotes.get(new RemoteKey(peer, source));
                if (remote != null) {
                    remote.activeWatches--;
                    remote.lastDisconnected = clock.instant();
                }
            }
        }
    }

    private record RemoteKey(String peer, String source) {
    }

    /** Guarded by lock. */
    private static final class RemoteState {
        int activeWatches;
        Instant lastConnected;
        Instant lastFullSync;
        Instant lastDisconnected;
    }

    /** Guarded by lock. */
    private static final class PeerState {
        ServiceListMessage list;
        final Set<Watch> watches = new LinkedHashSet<>();

        PeerState(ServiceListMessage list) {
            this.list = list;
        }

        void push(List<WatchEvent> events) {
            for (WatchEvent event : events) {
                for (Watch watch : List.copyOf(watches)) {
                    watch.watcher.onEvent(event);
                }
            }
        }

        void endWatches() {
            for (Watch watch : List.copyOf(watches)) {
                watch.watcher.onEnd();
                watch.close();
            }
        }
    }

    /** Configures a {@link DiscoveryServer}. */
    public static final class Builder {
        private Predicate<PeerConfig> servedPeers = peer -> true;
        private Function<PeerConfig, ? extends Collection<String>> serviceAccounts;
        private Clock clock = Clock.systemUTC();
        private Duration remoteRetention = DEFAULT_REMOTE_RETENTION;

        private Builder() {
        }

        /** Which peers are served (default: every peer of the configuration). */
        public Builder servedPeers(Predicate<PeerConfig> servedPeers) {
            this.servedPeers = requireNonNull(servedPeers, "servedPeers");
            return this;
        }

        /** Serves the peers whose ingress gateway is {@code gatewayName}. */
        public Builder ingressGateway(String gatewayName) {
            requireNonNull(gatewayName, "gatewayName");
            return servedPeers(peer -> peer.gateways().ingress().equals(gatewayName));
        }

        /**
         * The SPIFFE IDs published as {@code serviceAccounts} of every service exported to a peer: those of the
         * ingress gateway serving it. Required.
         */
        public Builder serviceAccounts(Function<PeerConfig, ? extends Collection<String>> serviceAccounts) {
            this.serviceAccounts = requireNonNull(serviceAccounts, "serviceAccounts");
            return this;
        }

        /** The same SPIFFE IDs for every peer. */
        public Builder serviceAccounts(Collection<String> serviceAccounts) {
            List<String> accounts = List.copyOf(serviceAccounts);
            return serviceAccounts(peer -> accounts);
        }

        /** The clock of status times (default: the system's, UTC). */
        public Builder clock(Clock clock) {
            this.clock = requireNonNull(clock, "clock");
            return this;
        }

        /** How long a remote's status outlives its last watch (default 5 minutes). */
        public Builder remoteRetention(Duration remoteRetention) {
            requireNonNull(remoteRetention, "remoteRetention");
            if (remoteRetention.isNegative()) {
                throw new IllegalArgumentException("remoteRetention: " + remoteRetention + " (expected: >= 0)");
            }
            this.remoteRetention = remoteRetention;
            return this;
        }

        /** A server with the lists of {@code config}. */
        public DiscoveryServer build(FederationConfig config) {
            return new DiscoveryServer(this, config);
        }
    }
}
