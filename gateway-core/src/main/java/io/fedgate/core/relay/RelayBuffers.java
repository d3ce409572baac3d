package io.fedgate.core.relay;

import io.netty.channel.WriteBufferWaterMark;

/** Per-connection buffering bounds shared by downstream and upstream channels. */
public final class RelayBuffers {
    /**
     * A channel turns unwritable above 256 KiB queued and writable again below 64 KiB: enough to keep a loopback or
     * LAN link busy between flushes, small enough that 10,000 connections stay within a few GiB in the worst case.
     */
    public static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(64 * 1024, 256 * 1024);

    private RelayBuffers() {
    }
}
