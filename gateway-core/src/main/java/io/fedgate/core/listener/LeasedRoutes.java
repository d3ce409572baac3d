package io.fedgate.core.listener;

import static java.util.Objects.requireNonNull;

import java.util.concurrent.atomic.AtomicReference;

import io.netty.channel.Channel;
import io.netty.util.IllegalReferenceCountException;
import io.netty.util.ReferenceCounted;

/**
 * A listener's current route table, swapped whole on a discovery update or a reload, and leased by each connection
 * that routes by it. A table owns native TLS contexts; a connection may look a route up, then wait for a handshake
 * or a connect before it creates an engine from the route's context. The lease keeps the table, and so its
 * contexts, alive until the connection closes, however many swaps happen meanwhile.
 *
 * <p>The slot holds one reference to the current table; {@link #replace} releases it after the swap, so a lease
 * that finds the old table already released simply reads the slot again and gets the new one.
 *
 * @param <T> the route table, released when the slot and every connection that leased it are done with it
 */
public final class LeasedRoutes<T extends ReferenceCounted> {
    private final AtomicReference<T> current;

    /** @param initial the first table; the slot takes over the caller's reference */
    public LeasedRoutes(T initial) {
        this.current = new AtomicReference<>(requireNonNull(initial, "initial"));
    }

    /** The current table, for looking at (sizes, logs) only: routing uses {@link #lease}. */
    public T current() {
        return current.get();
    }

    /** The current table, retained until {@code connection} closes. */
    public T lease(Channel connection) {
        for (;;) {
            T table = current.get();
            try {
                table.retain();
            } catch (IllegalReferenceCountException released) {
                continue; // swapped and released since the read: the slot now holds the next table
            }
            connection.closeFuture().addListener(closed -> table.release());
            return table;
        }
    }

    /** Swaps in {@code next} (taking over the caller's reference) and releases the slot's reference to the old. */
    public void replace(T next) {
        current.getAndSet(requireNonNull(next, "next")).release();
    }

    /** Releases the slot's reference to the current table; leases still open keep it until they close. */
    public void close() {
        current.get().release();
    }
}
