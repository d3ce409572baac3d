package io.fedgate.core.discovery;

/**
 * Receives one peer's watch events from a {@link DiscoveryServer}. The server calls it while holding its lock, in
 * the order the changes happened, from whichever thread applied the change: an implementation must return at once
 * (hand the event to its own executor, e.g. a channel's event loop) and must not block.
 */
public interface DiscoveryWatcher {

    /** The peer's list changed by {@code event}; its checksum is the list's after the change. */
    void onEvent(WatchEvent event);

    /** The watch is over: the peer is no longer served, or the server closed. Called once, after the last event. */
    void onEnd();
}
