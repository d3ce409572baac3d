package io.fedgate.core.discovery.client;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

import javax.net.ssl.SSLException;

import io.fedgate.core.config.PeerConfig;
import io.fedgate.core.discovery.DiscoveryChecksum;
import io.fedgate.core.discovery.DiscoveryFormatException;
import io.fedgate.core.discovery.DiscoveryJson;
import io.fedgate.core.discovery.ServiceListMessage;
import io.fedgate.core.discovery.WatchEvent;
import io.fedgate.core.logging.RateLimitedLog;
import io.fedgate.core.transport.Transport;
import io.fedgate.core.trust.PeerRefusal;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.ssl.SslContext;
import io.netty.resolver.AddressResolverGroup;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.ScheduledFuture;

/**
 * The egress's built-in client of one peer's discovery API, following the reference's sequence
 * (federation-protocol.md section 4): {@code GET /v1/watch} over mTLS to the peer's {@code spec.remote.addresses} on
 * {@code discoveryPort}, with SNI and {@code discovery-service} set to {@code discovery.<ns>.svc.<peer>.local} and
 * the {@code remote} header set to the checksum of {@code spec.remote}.
 *
 * <ul>
 * <li>A failed attempt (connect error, TLS refusal, a status other than 200) is recorded in {@link #status()} and
 * retried on the next address after an exponential backoff with jitter ({@link Builder#backoff}).</li>
 * <li>On 200 the watch is connected and a full sync {@code GET /v1/services/} runs on a separate connection, retried
 * every {@link Builder#fullSyncRetryInterval} for up to {@link Builder#fullSyncRetryWindow}; if it still fails, the
 * watch is closed and the sequence starts over.</li>
 * <li>Each watch event is applied to a copy of the list; if the resulting checksum differs from the event's, or the
 * event is a bare {@code update} (resync), or it cannot be parsed, a full sync runs instead. A full sync also runs
 * every {@link Builder#resyncInterval} while connected.</li>
 * <li>When the watch stream ends it is reconnected after the initial backoff.</li>
 * </ul>
 *
 * <p>What a peer sends is refused, never applied, when it is {@link #TOO_LARGE}, {@link #UNREADABLE},
 * {@link #SCHEMA_INVALID} ({@link io.fedgate.core.discovery.DiscoveryValidation}) or {@link #TRUNCATED}: each
 * refusal is counted ({@link Builder#refusals}), logged at WARNING at most once per cause per
 * {@link #REFUSAL_LOG_INTERVAL}, and named in {@link WatchStatus#lastDisconnectStatus()}; from then until a list is
 * accepted again the status is not {@code connected}, even while the watch stays open. A refused list, watch
 * answer or watch line ends the watch like a failed attempt (backoff growing, next address), since asking the same
 * server again at once would fetch the same data; a refused event that ended cleanly asks for a resync instead.
 *
 * <p>Threading: all state is confined to one event loop of the given group, which runs every connection, timer and
 * {@link DiscoveryListener} call; no locks. {@link #status()} and {@link #current()} read volatile snapshots and may
 * be called from any thread. Host names in {@code addresses} are resolved by Netty's default resolver.
 */
public final class DiscoveryClient implements AutoCloseable {
    /** Default first retry delay after a failed watch attempt. */
    public static final Duration DEFAULT_INITIAL_BACKOFF = Duration.ofSeconds(1);
    /** Default longest retry delay. */
    public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofSeconds(30);
    /** Resync cause: the watch was accepted; every connection starts with a full sync. */
    public static final String CONNECTED = "connected";
    /** Resync cause: a watch event could not be parsed. */
    public static final String UNREADABLE_EVENT = "unreadable-event";
    /** Resync cause: an event arrived while a full sync was in flight, whose list may predate it. */
    public static final String EVENT_DURING_SYNC = "event-during-sync";
    /** Resync cause: the server sent a bare {@code {"action":"update"}}. */
    public static final String RESYNC_EVENT = "resync-event";
    /** Resync cause: the list after applying an event did not have the event's checksum. */
    public static final String CHECKSUM_MISMATCH = "checksum-mismatch";
    /** Resync cause: the periodic full sync. */
    public static final String PERIODIC = "periodic";

    /** Refusal cause: a list over {@link #MAX_LIST_BYTES}, an event line over {@link #MAX_EVENT_BYTES}, an HTTP line
     * or header over the codec's limits. */
    public static final String TOO_LARGE = "too-large";
    /** Refusal cause: an answer that is not HTTP, or a list or event that is not JSON. */
    public static final String UNREADABLE = "unreadable";
    /** Refusal cause: JSON that breaks the protocol's schema ({@link io.fedgate.core.discovery.DiscoveryValidation}). */
    public static final String SCHEMA_INVALID = "schema-invalid";
    /** Refusal cause: the connection ended in the middle of a list or of an event line. */
    public static final String TRUNCATED = "truncated";
    /** At most one WARNING line per refusal cause per peer in this interval; the meter counts every refusal. */
    public static final Duration REFUSAL_LOG_INTERVAL = Duration.ofSeconds(30);

    /** Default period of the full resync while connected. */
    public static final Duration DEFAULT_RESYNC_INTERVAL = Duration.ofSeconds(60);
    /** Default TCP connect and TLS handshake timeout (each). */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
    /** Default time a full sync may take from connecting to its complete answer. */
    public static final Duration DEFAULT_FULL_SYNC_TIMEOUT = Duration.ofSeconds(10);
    /** Default delay between failed full sync attempts. */
    public static final Duration DEFAULT_FULL_SYNC_RETRY_INTERVAL = Duration.ofSeconds(1);
    /** Default time a full sync is retried before the watch is given up. */
    public static final Duration DEFAULT_FULL_SYNC_RETRY_WINDOW = Duration.ofMinutes(2);
    /** Longest accepted watch event line. */
    public static final int MAX_EVENT_BYTES = 1 << 20;
    /** Largest accepted service list. */
    public static final int MAX_LIST_BYTES = 16 << 20;

    static final String WATCH_PATH = "/v1/watch";
    static final String SERVICES_PATH = "/v1/services/";
    static final String STREAM_ENDED = "watch stream ended";
    private static final String DISCOVERY_SERVICE = "discovery-service";
    private static final String REMOTE = "remote";
    private static final Logger LOG = Logger.getLogger(DiscoveryClient.class.getName());

    private final PeerConfig peer;
    private final SslContext sslContext;
    private final EventLoop loop;
    private final Class<? extends Channel> channelClass;
    /** Null for Netty's default resolver (which blocks the event loop on a DNS name). */
    private final AddressResolverGroup<?> resolver;
    private final DiscoveryListener listener;
    private final Consumer<String> resyncs;
    private final Consumer<String> refusals;
    private final RateLimitedLog refusalLog = new RateLimitedLog(LOG, Level.WARNING, REFUSAL_LOG_INTERVAL);
    private final Clock clock;
    private final Duration initialBackoff;
    private final Duration maxBackoff;
    private final Duration resyncInterval;
    private final Duration connectTimeout;
    private final Duration fullSyncTimeout;
    private final Duration fullSyncRetryInterval;
    private final Duration fullSyncRetryWindow;
    private final String serviceHost;
    private final String remoteHeader;
    private final int port;

    // Confined to loop.
    private boolean started;
    private boolean closed;
    private int addressIndex;
    private Duration backoff;
    private Attempt watch;
    private boolean connected;
    /** Data of the peer was refused, and no list has been accepted since: the status does not show connected. */
    private boolean refusing;
    /** The {@code connected} last published, so that its fall sets {@code lastDisconnect}. */
    private boolean shownConnected;
    private boolean syncing;
    private boolean syncAgain;
    private Attempt sync;
    private Instant syncGiveUpAt;
    private ScheduledFuture<?> reconnectTask;
    private ScheduledFuture<?> syncRetryTask;
    private ScheduledFuture<?> resyncTask;
    private String address;
    private Instant lastConnected;
    private Instant lastDisconnect;
    private String lastDisconnectStatus;
    private Instant lastEvent;
    private Instant lastFullSync;
    private String lastErrorReason;

    private volatile ServiceListMessage current;
    private volatile WatchStatus status = WatchStatus.INITIAL;

    private DiscoveryClient(Builder builder) {
        this.peer = builder.peer;
        this.sslContext = builder.sslContext;
        this.loop = builder.group.next();
        this.channelClass = builder.channelClass;
        this.resolver = builder.resolver;
        this.listener = builder.listener;
        this.resyncs = builder.resyncs;
        this.refusals = builder.refusals;
        this.clock = builder.clock;
        this.initialBackoff = builder.initialBackoff;
        this.maxBackoff = builder.maxBackoff;
        this.resyncInterval = builder.resyncInterval;
        this.connectTimeout = builder.connectTimeout;
        this.fullSyncTimeout = builder.fullSyncTimeout;
        this.fullSyncRetryInterval = builder.fullSyncRetryInterval;
        this.fullSyncRetryWindow = builder.fullSyncRetryWindow;
        this.serviceHost = serviceHost(peer);
        this.remoteHeader = DiscoveryChecksum.format(DiscoveryChecksum.remote(peer));
        this.port = peer.remote().discoveryPort();
        this.backoff = initialBackoff;
    }

    /**
     * A builder for a client of {@code peer}'s discovery API. {@code sslContext} is the egress's client context: its
     * own certificate, trusting the peer's root, with the authorizer the caller chose (typically any ID in the peer's
     * trust domain). {@code group} runs the client, over channels of {@code transport}.
     */
    public static Builder builder(PeerConfig peer, SslContext sslContext, EventLoopGroup group, Transport transport) {
        return new Builder(peer, sslContext, group, requireNonNull(transport, "transport").socketChannelClass());
    }

    /** {@code discovery.<ns>.svc.<peer>.local}: the SNI and {@code discovery-service} value for {@code peer}. */
    public static String serviceHost(PeerConfig peer) {
        requireNonNull(peer, "peer");
        return "discovery." + peer.namespace() + ".svc." + peer.name() + ".local";
    }

    /** The watched peer. */
    public PeerConfig peer() {
        return peer;
    }

    /** Starts watching; idempotent. Returns this. */
    public DiscoveryClient start() {
        loop.execute(() -> {
            if (started || closed) {
                return;
            }
            started = true;
            resyncTask = loop.scheduleAtFixedRate(this::periodicResync, resyncInterval.toNanos(),
                    resyncInterval.toNanos(), TimeUnit.NANOSECONDS);
            connectWatch();
        });
        return this;
    }

    /** The latest service list, if a full sync has succeeded yet. */
    public Optional<ServiceListMessage> current() {
        return Optional.ofNullable(current);
    }

    /** A snapshot of the watch's status. */
    public WatchStatus status() {
        return status;
    }

    /** Stops everything: timers and connections. Waits (briefly) for the event loop unless called on it. */
    @Override
    public void close() {
        if (loop.inEventLoop()) {
            shutdown();
            return;
        }
        if (loop.isShuttingDown()) {
            return;
        }
        loop.submit(this::shutdown).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }

    private void shutdown() {
        if (closed) {
            return;
        }
        closed = true;
        cancel(reconnectTask);
        cancel(syncRetryTask);
        cancel(resyncTask);
        stopSync();
        if (watch != null) {
            Attempt ending = watch;
            watch = null;
            ending.ended = true;
            ending.close();
        }
        if (connected) {
            connected = false;
            lastDisconnectStatus = "client closed";
        }
        publish();
    }

    // ---- The watch -------------------------------------------------------------------------------------------------

    private void connectWatch() {
        reconnectTask = null;
        if (closed) {
            return;
        }
        List<String> addresses = peer.remote().addresses();
        String host = addresses.get(Math.floorMod(addressIndex, addresses.size()));
        address = host + ":" + port;
        lastConnected = clock.instant();
        publish();
        Attempt attempt = new Attempt(host);
        watch = attempt;
        connect(attempt, new WatchHandler(this, attempt, MAX_EVENT_BYTES))
                .addListener((ChannelFutureListener) future -> {
                    if (!future.isSuccess()) {
                        endWatch(attempt, failure(future.cause(), false));
                    }
                });
    }

    /** The watch answered 200: connected; a full sync follows. */
    void watchAccepted(Attempt attempt) {
        if (attempt != watch || attempt.ended) {
            return;
        }
        attempt.accepted = true;
        connected = true; // Shown once no refusal is pending; the backoff is reset by an accepted list.
        lastErrorReason = null;
        publish();
        syncGiveUpAt = null;
        requestFullSync(CONNECTED);
    }

    /** One line of the watch stream. */
    void watchLine(Attempt attempt, String line) {
        if (attempt != watch || attempt.ended || line.isBlank()) {
            return;
        }
        lastEvent = clock.instant();
        publish();
        WatchEvent event;
        try {
            event = DiscoveryJson.readValidWatchEvent(line);
        } catch (DiscoveryFormatException | IllegalArgumentException e) {
            // The stream itself is intact (the line ended), so the watch stays; the list is fetched again.
            Failure failure = unusable("watch event", e);
            lastDisconnectStatus = failure.text();
            refused(attempt, failure, "resyncing");
            requestFullSync(UNREADABLE_EVENT);
            return;
        }
        if (syncing || current == null) {
            requestFullSync(EVENT_DURING_SYNC); // The list in flight may predate this event: fetch again once it is in.
            return;
        }
        if (event.isResync()) {
            requestFullSync(RESYNC_EVENT);
            return;
        }
        ServiceListMessage next = current.apply(event);
        if (next.checksum() != event.checksum()) {
            LOG.fine(() -> peer.name() + ": checksum mismatch after " + event + " (computed "
                    + DiscoveryChecksum.format(next.checksum()) + "), resyncing");
            requestFullSync(CHECKSUM_MISMATCH);
            return;
        }
        deliver(next);
    }

    /** The watch attempt ended: recorded once, then a reconnect is scheduled. */
    void endWatch(Attempt attempt, Failure failure) {
        if (attempt.ended) {
            return;
        }
        attempt.ended = true;
        attempt.close();
        if (attempt != watch) {
            return;
        }
        watch = null;
        lastDisconnectStatus = failure.text();
        if (failure.reason() != null) {
            lastErrorReason = failure.reason();
        }
        connected = false;
        stopSync();
        if (failure.refusal() != null) {
            refused(attempt, failure, "watch ended");
        } else {
            publish();
        }
        if (closed) {
            return;
        }
        Duration delay;
        if (attempt.accepted && failure.refusal() == null) {
            delay = initialBackoff;
        } else {
            addressIndex++;
            delay = jitter(backoff);
            Duration doubled = backoff.multipliedBy(2);
            backoff = doubled.compareTo(maxBackoff) > 0 ? maxBackoff : doubled;
        }
        LOG.fine(() -> peer.name() + ": watch of " + attempt.host + " ended (" + failure.text() + "), retrying in "
                + delay);
        reconnectTask = loop.schedule(this::connectWatch, delay.toNanos(), TimeUnit.NANOSECONDS);
    }

    private static Duration jitter(Duration base) {
        // Between 80% and 120% of the base, so that many clients do not retry in step.
        double factor = 0.8 + 0.4 * ThreadLocalRandom.current().nextDouble();
        return Duration.ofNanos(Math.max(1, (long) (base.toNanos() * factor)));
    }

    // ---- Full sync -------------------------------------------------------------------------------------------------

    private void periodicResync() {
        if (connected) {
            requestFullSync(PERIODIC);
        }
    }

    private void requestFullSync(String cause) {
        if (closed || !connected) {
            return;
        }
        resyncs.accept(cause);
        if (syncing) {
            syncAgain = sync != null; // During a retry pause the next attempt fetches a fresh list anyway.
            return;
        }
        syncing = true;
        syncAgain = false;
        syncGiveUpAt = clock.instant().plus(fullSyncRetryWindow);
        startFullSync();
    }

    private void startFullSync() {
        syncRetryTask = null;
        if (closed || !connected || watch == null) {
            syncing = false;
            return;
        }
        Attempt attempt = new Attempt(watch.host);
        sync = attempt;
        attempt.timeout = loop.schedule(() -> fullSyncFailed(attempt, Failure.text("full sync timed out after "
                + fullSyncTimeout.toMillis() + " ms")), fullSyncTimeout.toNanos(), TimeUnit.NANOSECONDS);
        FullSyncHandler handler = new FullSyncHandler(this, attempt);
        connect(attempt, handler.progress(), new HttpObjectAggregator(MAX_LIST_BYTES), handler)
                .addListener((ChannelFutureListener) future -> {
            if (!future.isSuccess()) {
                fullSyncFailed(attempt, failure(future.cause(), false));
            }
        });
    }

    void fullSyncDone(Attempt attempt, ServiceListMessage list) {
        if (attempt.ended) {
            return;
        }
        attempt.ended = true;
        attempt.close();
        if (attempt != sync) {
            return;
        }
        sync = null;
        syncing = false;
        refusing = false;
        backoff = initialBackoff;
        lastFullSync = clock.instant();
        publish();
        deliver(list);
        if (syncAgain) {
            syncAgain = false;
            requestFullSync(EVENT_DURING_SYNC);
        }
    }

    void fullSyncFailed(Attempt attempt, Failure failure) {
        if (attempt.ended) {
            return;
        }
        attempt.ended = true;
        attempt.close();
        if (attempt != sync) {
            return;
        }
        sync = null;
        if (failure.reason() != null) {
            lastErrorReason = failure.reason();
            publish();
        }
        LOG.fine(() -> peer.name() + ": full sync from " + attempt.host + " failed: " + failure.text());
        if (!connected || watch == null) {
            syncing = false;
            return;
        }
        if (failure.refusal() != null) {
            // Not retried from this server within the window: it would send the same list; the watch backs off.
            syncing = false;
            endWatch(watch, failure);
            return;
        }
        if (clock.instant().isBefore(syncGiveUpAt)) {
            syncRetryTask = loop.schedule(this::startFullSync, fullSyncRetryInterval.toNanos(), TimeUnit.NANOSECONDS);
        } else {
            syncing = false;
            Attempt giveUp = watch;
            endWatch(giveUp, Failure.text("full sync failed for " + fullSyncRetryWindow + ": " + failure.text()));
        }
    }

    private void stopSync() {
        cancel(syncRetryTask);
        syncRetryTask = null;
        syncing = false;
        syncAgain = false;
        if (sync != null) {
            Attempt stopping = sync;
            sync = null;
            stopping.ended = true;
            stopping.close();
        }
    }

    private void deliver(ServiceListMessage list) {
        current = list;
        try {
            listener.onServices(list);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, peer.name() + ": discovery listener failed", e);
        }
    }

    // ---- Connections -----------------------------------------------------------------------------------------------

    /** Connects {@code attempt}: TLS, the HTTP codec, then {@code handlers} (new ones: a pipeline is not shared). */
    private ChannelFuture connect(Attempt attempt, ChannelHandler... handlers) {
        int timeoutMillis = (int) Math.min(Integer.MAX_VALUE, connectTimeout.toMillis());
        Bootstrap bootstrap = new Bootstrap()
                .group(loop)
                .channel(channelClass)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, timeoutMillis)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel channel) {
                        // The peer host names the discovery service, so Netty puts it in the SNI extension.
                        SslHandler tls = sslContext.newHandler(channel.alloc(), serviceHost, port);
                        tls.setHandshakeTimeoutMillis(timeoutMillis);
                        channel.pipeline().addLast(tls, new HttpClientCodec()).addLast(handlers);
                    }
                });
        if (resolver != null) {
            bootstrap.resolver(resolver);
        }
        ChannelFuture future = bootstrap.connect(attempt.host, port);
        attempt.channel = future.channel();
        return future;
    }

    /** A {@code GET path} with the reference's headers. */
    FullHttpRequest request(String path) {
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, path);
        request.headers()
                .set(HttpHeaderNames.HOST, serviceHost)
                .set(HttpHeaderNames.ACCEPT, HttpHeaderValues.APPLICATION_JSON)
                .set(DISCOVERY_SERVICE, serviceHost)
                .set(REMOTE, remoteHeader)
                .set(HttpHeaderNames.CONTENT_LENGTH, 0);
        return request;
    }

    /** A failure as status text: TLS failures as {@code <reason code>: <detail>}. */
    static Failure failure(Throwable cause, boolean handshake) {
        if (handshake || find(cause, SSLException.class) != null) {
            PeerRefusal refusal = PeerRefusal.of(cause);
            return new Failure(refusal.message(), refusal.reason().code(), null);
        }
        if (find(cause, TimeoutException.class) != null || cause instanceof io.netty.channel.ConnectTimeoutException) {
            return Failure.text("timed out: " + cause.getMessage());
        }
        return Failure.text(describe(cause));
    }

    /**
     * A failed HTTP decode of {@code what} ({@code "watch response"}, ...) as a refusal: over a codec limit is
     * {@link #TOO_LARGE}, a connection closed mid-message {@link #TRUNCATED}, anything else {@link #UNREADABLE}.
     */
    static Failure decodeFailure(String what, Throwable cause) {
        String detail = what + ": " + describe(cause);
        if (find(cause, TooLongFrameException.class) != null) {
            return Failure.refused(TOO_LARGE, detail);
        }
        if (find(cause, PrematureChannelClosureException.class) != null) {
            return Failure.refused(TRUNCATED, what + ": the connection closed in the middle of it");
        }
        return Failure.refused(UNREADABLE, detail);
    }

    /** A list or event that could not be used, as a refusal: not JSON is {@link #UNREADABLE}, else schema-invalid. */
    static Failure unusable(String what, RuntimeException e) {
        boolean malformed = e instanceof DiscoveryFormatException format && format.malformed();
        return Failure.refused(malformed ? UNREADABLE : SCHEMA_INVALID, what + ": " + describe(e));
    }

    private static String describe(Throwable cause) {
        String message = cause.getMessage();
        return message == null || message.isBlank() ? cause.getClass().getSimpleName() : message;
    }

    private static <T extends Throwable> T find(Throwable root, Class<T> type) {
        Throwable t = root;
        for (int i = 0; t != null && i < 32; i++, t = t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }

    private static void cancel(ScheduledFuture<?> task) {
        if (task != null) {
            task.cancel(false);
        }
    }

    /**
     * A refusal of what {@code attempt}'s server sent: until a list is accepted again the status no longer shows
     * connected; published first, then logged (rate-limited) and counted, so that whoever sees the count sees the rest.
     */
    private void refused(Attempt attempt, Failure failure, String then) {
        refusing = true;
        publish();
        refusalLog.log(failure.refusal(), suppressed -> peer.name() + ": " + failure.text() + " (from " + attempt.host
                + ":" + port + "); " + then + RateLimitedLog.suppressedSuffix(suppressed));
        refusals.accept(failure.refusal());
    }

    private void publish() {
        boolean shown = connected && !refusing;
        if (shownConnected && !shown) {
            lastDisconnect = clock.instant();
        }
        shownConnected = shown;
        status = new WatchStatus(shown, Optional.ofNullable(lastConnected), Optional.ofNullable(lastDisconnect),
                Optional.ofNullable(lastDisconnectStatus), Optional.ofNullable(lastEvent),
                Optional.ofNullable(lastFullSync), Optional.ofNullable(address), Optional.ofNullable(lastErrorReason));
    }

    /** One connection (a watch or a full sync); its end is handled once. Confined to the loop. */
    static final class Attempt {
        final String host;
        Channel channel;
        ScheduledFuture<?> timeout;
        boolean accepted;
        boolean ended;

        Attempt(String host) {
            this.host = host;
        }

        void close() {
            cancel(timeout);
            if (channel != null) {
                channel.close();
            }
        }
    }

    /**
     * Why an attempt ended: status text; for TLS refusals, the reason code; for refused discovery data, the
     * refusal cause ({@link #TOO_LARGE}, ...), the text then being {@code refused discovery data: <cause>: <detail>}.
     */
    record Failure(String text, String reason, String refusal) {
        static Failure text(String text) {
            return new Failure(text, null, null);
        }

        static Failure refused(String cause, String detail) {
            return new Failure(WatchStatus.REFUSED_PREFIX + cause + ": " + detail, null, cause);
        }
    }

    /** Builds a {@link DiscoveryClient}; every duration must be positive. */
    public static final class Builder {
        private final PeerConfig peer;
        private final SslContext sslContext;
        private final EventLoopGroup group;
        private final Class<? extends Channel> channelClass;
        private AddressResolverGroup<?> resolver;
        private DiscoveryListener listener = DiscoveryListener.NONE;
        private Consumer<String> resyncs = cause -> { };
        private Consumer<String> refusals = cause -> { };
        private Clock clock = Clock.systemUTC();
        private Duration initialBackoff = DEFAULT_INITIAL_BACKOFF;
        private Duration maxBackoff = DEFAULT_MAX_BACKOFF;
        private Duration resyncInterval = DEFAULT_RESYNC_INTERVAL;
        private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
        private Duration fullSyncTimeout = DEFAULT_FULL_SYNC_TIMEOUT;
        private Duration fullSyncRetryInterval = DEFAULT_FULL_SYNC_RETRY_INTERVAL;
        private Duration fullSyncRetryWindow = DEFAULT_FULL_SYNC_RETRY_WINDOW;

        Builder(PeerConfig peer, SslContext sslContext, EventLoopGroup group, Class<? extends Channel> channelClass) {
            this.peer = requireNonNull(peer, "peer");
            this.sslContext = requireNonNull(sslContext, "sslContext");
            this.group = requireNonNull(group, "group");
            this.channelClass = requireNonNull(channelClass, "channelClass");
            if (!sslContext.isClient()) {
                throw new IllegalArgumentException("sslContext: a server context (expected: a client context)");
            }
        }

        /**
         * Resolves peer addresses that are DNS names without blocking the event loop (a gateway passes its
         * {@code DnsAddressResolverGroup}); by default Netty's resolver, which blocks on names (IP literals never do).
         */
        public Builder resolver(AddressResolverGroup<?> resolver) {
            this.resolver = requireNonNull(resolver, "resolver");
            return this;
        }

        /** Told about every new list, on the event loop. */
        public Builder listener(DiscoveryListener listener) {
            this.listener = requireNonNull(listener, "listener");
            return this;
        }

        /** Told the cause of every full sync requested ({@link #CONNECTED}, {@link #CHECKSUM_MISMATCH}, ...), for metrics. */
        public Builder resyncs(Consumer<String> resyncs) {
            this.resyncs = requireNonNull(resyncs, "resyncs");
            return this;
        }

        /**
         * Told the cause of every refusal of the peer's data ({@link #TOO_LARGE}, {@link #UNREADABLE},
         * {@link #SCHEMA_INVALID}, {@link #TRUNCATED}), for metrics.
         */
        public Builder refusals(Consumer<String> refusals) {
            this.refusals = requireNonNull(refusals, "refusals");
            return this;
        }

        /** The clock of the status timestamps. */
        public Builder clock(Clock clock) {
            this.clock = requireNonNull(clock, "clock");
            return this;
        }

        /** Retry delays after failed watch attempts: {@code initial}, doubling up to {@code max}, with ±20% jitter. */
        public Builder backoff(Duration initial, Duration max) {
            this.initialBackoff = positive(initial, "initial");
            this.maxBackoff = positive(max, "max");
            if (max.compareTo(initial) < 0) {
                throw new IllegalArgumentException("max: " + max + " (expected: >= initial " + initial + ")");
            }
            return this;
        }

        /** The period of the full resync while connected. */
        public Builder resyncInterval(Duration resyncInterval) {
            this.resyncInterval = positive(resyncInterval, "resyncInterval");
            return this;
        }

        /** The TCP connect timeout, and separately the TLS handshake timeout. */
        public Builder connectTimeout(Duration connectTimeout) {
            this.connectTimeout = positive(connectTimeout, "connectTimeout");
            return this;
        }

        /** The time a full sync may take from connecting to its complete answer. */
        public Builder fullSyncTimeout(Duration fullSyncTimeout) {
            this.fullSyncTimeout = positive(fullSyncTimeout, "fullSyncTimeout");
            return this;
        }

        /** Failed full syncs are retried every {@code interval} for up to {@code window}, then the watch restarts. */
        public Builder fullSyncRetry(Duration interval, Duration window) {
            this.fullSyncRetryInterval = positive(interval, "interval");
            this.fullSyncRetryWindow = positive(window, "window");
            return this;
        }

        /** A client, not yet started. */
        public DiscoveryClient build() {
            return new DiscoveryClient(this);
        }

        private static Duration positive(Duration value, String name) {
            requireNonNull(value, name);
            if (value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException(name + ": " + value + " (expected: > 0)");
            }
            return value;
        }
    }
}
