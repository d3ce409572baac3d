package io.fedgate.core.testing;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;

import io.netty.buffer.AbstractByteBuf;
import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledDirectByteBuf;
import io.netty.buffer.UnpooledHeapByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ResourceLeakDetector;

/**
 * A {@code ByteBufAllocator} for fuzz targets that remembers every buffer it hands out, so that a run can prove it
 * released all of them. Netty's leak detector reports a leak only after a GC has collected the buffer, inputs later
 * than the one that leaked; {@link #assertAllReleased()} fails on that very input, so the crash file Jazzer writes
 * reproduces it. Set it as the channel's allocator before the pipeline is built (handlers allocate through
 * {@code ctx.alloc()}).
 *
 * <p>Buffers made elsewhere ({@code Unpooled.*}) are covered by Netty's own detector instead:
 * {@link #failOnNettyLeakReports()} makes each of its reports (paranoid in tests) fail the next check.
 */
public final class LeakCheckingAllocator extends AbstractByteBufAllocator {
    private static final ConcurrentLinkedQueue<String> NETTY_REPORTS = new ConcurrentLinkedQueue<>();

    private final List<ByteBuf> handedOut = new ArrayList<>();

    /** An allocator of unpooled heap buffers (direct ones on request). */
    public LeakCheckingAllocator() {
        super(false);
    }

    @Override
    protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
        return remember(new UnpooledHeapByteBuf(this, initialCapacity, maxCapacity));
    }

    @Override
    protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
        return remember(new UnpooledDirectByteBuf(this, initialCapacity, maxCapacity));
    }

    @Override
    public boolean isDirectBufferPooled() {
        return false;
    }

    /**
     * An {@code EmbeddedChannel} allocating from this allocator: {@code setup} builds its pipeline (and sets
     * attributes) before the channel is registered and active.
     */
    public EmbeddedChannel newChannel(Consumer<EmbeddedChannel> setup) {
        EmbeddedChannel channel = new EmbeddedChannel(false, false);
        channel.config().setAllocator(this);
        setup.accept(channel);
        try {
            channel.register();
        } catch (Exception e) {
            throw new IllegalStateException("registering the channel failed", e);
        }
        return channel;
    }

    private ByteBuf remember(ByteBuf buffer) {
        handedOut.add(buffer);
        return buffer;
    }

    /** How many buffers this allocator has handed out. */
    public int allocations() {
        return handedOut.size();
    }

    /**
     * Throws if a buffer from this allocator is still referenced, or if Netty's leak detector reported a leak since
     * the last check.
     */
    public void assertAllReleased() {
        for (int i = 0; i < handedOut.size(); i++) {
            ByteBuf buffer = handedOut.get(i);
            if (buffer.refCnt() != 0) {
                throw new AssertionError("leak: buffer " + (i + 1) + " of " + handedOut.size() + " still has refCnt "
                        + buffer.refCnt() + " (" + buffer.capacity() + " bytes)");
            }
        }
        String report = NETTY_REPORTS.poll();
        if (report != null) {
            NETTY_REPORTS.clear();
            throw new AssertionError("Netty's leak detector reported a leak (of an earlier input):\n" + report);
        }
    }

    /**
     * Makes every leak that Netty's {@code ByteBuf} leak detector reports from now on fail the next
     * {@link #assertAllReleased()}, in any instance. Idempotent.
     */
    public static void failOnNettyLeakReports() {
        try {
            // The detector all ByteBufs share; it has a listener hook but no public accessor.
            Field field = AbstractByteBuf.class.getDeclaredField("leakDetector");
            field.setAccessible(true);
            ResourceLeakDetector<?> detector = (ResourceLeakDetector<?>) field.get(null);
            detector.setLeakListener((resourceType, records) -> NETTY_REPORTS.add(resourceType + records));
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot hook Netty's ByteBuf leak detector", e);
        }
    }
}
