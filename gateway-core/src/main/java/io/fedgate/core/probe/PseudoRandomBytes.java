package io.fedgate.core.probe;

import static java.util.Objects.checkFromIndexSize;
import static java.util.Objects.requireNonNull;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * A deterministic stream of pseudo-random bytes: byte {@code k} of the stream for seed {@code s} is byte
 * {@code k % 8} (big-endian) of SplitMix64 of {@code (s, k / 8)}. The stream depends only on the seed, never on how
 * it is read in chunks, so a sender and a checker can produce the same bytes independently, and
 * {@link #sha256Hex(long, long)} gives the digest of a prefix without sending it.
 *
 * <p>Generation is a plain loop over {@code long}s into a {@code byte[]} (about a nanosecond per 8 bytes); callers
 * copy the array into a {@code ByteBuf} with one {@code writeBytes}, which matters under the paranoid leak detector,
 * where every access method on a buffer records a stack trace. Not thread-safe.
 */
public final class PseudoRandomBytes {
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;

    private final long seed;
    private long position;

    /** The stream for {@code seed}, positioned at its start. */
    public PseudoRandomBytes(long seed) {
        this.seed = seed;
    }

    /** The seed this stream was made from. */
    public long seed() {
        return seed;
    }

    /** How many bytes were read so far. */
    public long position() {
        return position;
    }

    /** Fills {@code destination[offset, offset + length)} with the next {@code length} bytes. */
    public void next(byte[] destination, int offset, int length) {
        requireNonNull(destination, "destination");
        checkFromIndexSize(offset, length, destination.length);
        int end = offset + length;
        int at = offset;
        // Up to the next 8-byte boundary of the stream, one byte at a time (at most 7).
        while (at < end && (position & 7) != 0) {
            destination[at++] = byteAt(position++);
        }
        long word = position >>> 3;
        while (end - at >= Long.BYTES) {
            LONGS.set(destination, at, mix(seed, word++));
            at += Long.BYTES;
        }
        position = word << 3;
        while (at < end) {
            destination[at++] = byteAt(position++);
        }
    }

    /** A new array with the next {@code length} bytes. */
    public byte[] next(int length) {
        byte[] bytes = new byte[length];
        next(bytes, 0, length);
        return bytes;
    }

    /** The SHA-256 (lowercase hex) of the first {@code length} bytes of the stream for {@code seed}. */
    public static String sha256Hex(long seed, long length) {
        if (length < 0) {
            throw new IllegalArgumentException("length: " + length + " (expected: >= 0)");
        }
        PseudoRandomBytes bytes = new PseudoRandomBytes(seed);
        StreamDigest digest = new StreamDigest();
        byte[] chunk = new byte[64 * 1024];
        for (long left = length; left > 0; ) {
            int n = (int) Math.min(chunk.length, left);
            bytes.next(chunk, 0, n);
            digest.update(chunk, 0, n);
            left -= n;
        }
        return digest.sha256Hex();
    }

    private byte byteAt(long index) {
        return (byte) (mix(seed, index >>> 3) >>> (56 - 8 * (index & 7)));
    }

    /** SplitMix64 of the {@code index}-th gamma step after {@code seed}. */
    private static long mix(long seed, long index) {
        long z = seed + (index + 1) * GOLDEN_GAMMA;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
