package io.fedgate.core.discovery;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/**
 * One line of a {@code GET /v1/watch/<peer>} stream: a service was added, updated or deleted, and {@code checksum}
 * is the checksum of the whole list after the change. An {@code update} without a service is a resync request: the
 * client fetches the full list again.
 *
 * @param action what happened
 * @param service the service added, updated (its new form) or deleted; {@code null} only for a resync
 * @param checksum the list's checksum after the event, unsigned
 */
public record WatchEvent(Action action, ServiceMessage service, long checksum) {

    public WatchEvent {
        requireNonNull(action, "action");
        if (service == null && action != Action.UPDATE) {
            throw new IllegalArgumentException("a " + action.wireName() + " event needs a service"
                    + " (only a bare update, a resync, has none)");
        }
    }

    /** A service was added; {@code checksum} is the list's after adding it. */
    public static WatchEvent add(ServiceMessage service, long checksum) {
        return new WatchEvent(Action.ADD, requireNonNull(service, "service"), checksum);
    }

    /** A service changed; {@code checksum} is the list's after the change. */
    public static WatchEvent update(ServiceMessage service, long checksum) {
        return new WatchEvent(Action.UPDATE, requireNonNull(service, "service"), checksum);
    }

    /** A service was removed; {@code checksum} is the list's after removing it. */
    public static WatchEvent delete(ServiceMessage service, long checksum) {
        return new WatchEvent(Action.DELETE, requireNonNull(service, "service"), checksum);
    }

    /** A bare {@code update}: the client should fetch the full list; {@code checksum} is the current list's. */
    public static WatchEvent resync(long checksum) {
        return new WatchEvent(Action.UPDATE, null, checksum);
    }

    /** Whether this is a resync request (an {@code update} without a service). */
    public boolean isResync() {
        return service == null;
    }

    /** E.g. {@code add ratings.bookinfo.svc.green-mesh-exports.local -> 11766432003838626797}. */
    @Override
    public String toString() {
        return action.wireName() + " " + (service == null ? "(resync)" : service.hostname()) + " -> "
                + Long.toUnsignedString(checksum);
    }

    /** The kinds of change, with their wire names. */
    public enum Action {
        /** {@code add}: a service is newly exported. */
        ADD("add"),
        /** {@code update}: an exported service changed, or (without a service) resync. */
        UPDATE("update"),
        /** {@code delete}: a service is no longer exported. */
        DELETE("delete");

        private final String wireName;

        Action(String wireName) {
            this.wireName = wireName;
        }

        /** The name on the wire: {@code add}, {@code update} or {@code delete}. */
        public String wireName() {
            return wireName;
        }

        /** The action named {@code wireName} on the wire (exact, lowercase), if any. */
        public static Optional<Action> fromWireName(String wireName) {
            requireNonNull(wireName, "wireName");
            for (Action action : values()) {
                if (action.wireName.equals(wireName)) {
                    return Optional.of(action);
                }
            }
            return Optional.empty();
        }
    }
}
