package io.fedgate.core.status;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The last refusal per peer, for the status page. Written from event loops when a connection is refused (rare, so a
 * concurrent map is cheap enough), read by the admin listener.
 */
public final class RefusalLog {
    /** Key for refusals that could not be tied to a peer (no route, not TLS, an identity of no served peer). */
    public static final String UNKNOWN_PEER = "unknown";

    private final Clock clock;
    private final Map<String, Refusal> lastByPeer = new ConcurrentHashMap<>();

    public RefusalLog(Clock clock) {
        this.clock = requireNonNull(clock, "clock");
    }

    /** Records a refusal for {@code peer} ({@link #UNKNOWN_PEER} when not known). */
    public void refused(String peer, String listener, String reason, String detail) {
        lastByPeer.put(requireNonNull(peer, "peer"), new Refusal(listener, reason, detail, clock.instant()));
    }

    /** The last refusal recorded for {@code peer}. */
    public Optional<Refusal> last(String peer) {
        return Optional.ofNullable(lastByPeer.get(peer));
    }
}
