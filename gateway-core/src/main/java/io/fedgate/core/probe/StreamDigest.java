package io.fedgate.core.probe;

import static java.util.Objects.requireNonNull;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import io.netty.buffer.ByteBuf;

/**
 * A running SHA-256 and byte count of one direction of a stream. {@link #update(ByteBuf)} reads the buffer's
 * readable bytes without moving its indexes, through its backing array or NIO views (one call each, cheap under
 * the paranoid leak detector). Not thread-safe; confine it to one event loop.
 */
public final class StreamDigest {
    /** SHA-256 of nothing: what a direction that carried no byte reports. */
    public static final String EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    private final MessageDigest digest;
    private long bytes;
    private String finished;

    /** A digest of nothing yet. */
    public StreamDigest() {
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    /** Adds {@code length} bytes of {@code bytes} from {@code offset}. */
    public void update(byte[] bytes, int offset, int length) {
        checkOpen();
        digest.update(bytes, offset, length);
        this.bytes += length;
    }

    /** Adds the readable bytes of {@code buffer}, leaving its indexes as they are. */
    public void update(ByteBuf buffer) {
        requireNonNull(buffer, "buffer");
        checkOpen();
        int readable = buffer.readableBytes();
        if (readable == 0) {
            return;
        }
        if (buffer.hasArray()) {
            digest.update(buffer.array(), buffer.arrayOffset() + buffer.readerIndex(), readable);
        } else if (buffer.nioBufferCount() == 1) {
            digest.update(buffer.nioBuffer(buffer.readerIndex(), readable));
        } else {
            for (ByteBuffer part : buffer.nioBuffers(buffer.readerIndex(), readable)) {
                digest.update(part);
            }
        }
        bytes += readable;
    }

    /** How many bytes were added. */
    public long bytes() {
        return bytes;
    }

    /** The SHA-256 of every byte added, lowercase hex; no more bytes can be added after this. */
    public String sha256Hex() {
        if (finished == null) {
            finished = HexFormat.of().formatHex(digest.digest());
        }
        return finished;
    }

    private void checkOpen() {
        if (finished != null) {
            throw new IllegalStateException("digest already finished after " + bytes + " bytes");
        }
    }
}
