package io.fedgate.core.listener;

import static java.util.Objects.requireNonNull;

import java.util.List;

import io.netty.handler.ssl.SslContext;
import io.netty.util.AbstractReferenceCounted;
import io.netty.util.ReferenceCountUtil;

/**
 * A listener's route table that owns the native TLS contexts its routes use. It is reference counted so that
 * {@link LeasedRoutes} can keep it, and so its contexts, alive while connections route by it; the contexts are
 * released with the last reference.
 */
public abstract class TlsRouteTable extends AbstractReferenceCounted implements AutoCloseable {
    private final List<SslContext> contexts;

    /** @param contexts the contexts this table's routes use; the table takes over one reference to each */
    protected TlsRouteTable(List<SslContext> contexts) {
        this.contexts = List.copyOf(requireNonNull(contexts, "contexts"));
    }

    /** Releases the TLS contexts once the listener and every connection that leased the table are done. */
    @Override
    protected final void deallocate() {
        contexts.forEach(ReferenceCountUtil::release);
    }

    @Override
    public final TlsRouteTable touch(Object hint) {
        return this;
    }

    /** Releases the builder's reference (for tests and try-with-resources). */
    @Override
    public final void close() {
        release();
    }
}
