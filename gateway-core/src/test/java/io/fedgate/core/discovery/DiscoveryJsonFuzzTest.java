package io.fedgate.core.discovery;

import java.util.Objects;
import java.util.function.Function;

import com.code_intelligence.jazzer.junit.FuzzTest;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * A peer's discovery answers are hostile input: every byte sequence is read both as a service list
 * ({@code GET /v1/services/}) and as a watch event line ({@code GET /v1/watch}). {@link DiscoveryJson}'s contract:
 * a reader returns a value or throws {@link DiscoveryFormatException}, nothing else; it leaves the buffer's indices
 * and reference count alone; heap and direct buffers read alike; and whatever it reads, it writes back as JSON that
 * reads as the same value.
 *
 * <p>Found by it: Jackson detects UTF-16 and UTF-32 from the first bytes, and an invalid UTF-32 unit after
 * {@code {\0\0\0} threw a {@code CharConversionException} out of the reader instead of a format error (seed
 * {@code utf32_char_conversion}).
 */
class DiscoveryJsonFuzzTest {

    @FuzzTest(maxDuration = "10s")
    void readersThrowOnlyFormatErrorsAndRoundTrip(byte[] input) {
        check(input, DiscoveryJson::readServiceList, DiscoveryJson::toJson, DiscoveryJson::readServiceList);
        check(input, DiscoveryJson::readWatchEvent, DiscoveryJson::toJson, DiscoveryJson::readWatchEvent);
    }

    private static <T> void check(byte[] input, Function<ByteBuf, T> reader, Function<T, String> writer,
                                  Function<String, T> rereader) {
        Outcome<T> heap = read(Unpooled.wrappedBuffer(input), reader);
        ByteBuf direct = Unpooled.directBuffer(input.length).writeBytes(input);
        Outcome<T> fromDirect = read(direct, reader);
        if (!heap.equals(fromDirect)) {
            throw new AssertionError("heap read " + heap + ", direct read " + fromDirect);
        }
        if (heap.value != null) {
            String json = writer.apply(heap.value);
            T again = rereader.apply(json);
            if (!again.equals(heap.value)) {
                throw new AssertionError("round trip changed " + heap.value + " into " + again + " via " + json);
            }
        }
    }

    /** Reads {@code in}, checks that the reader left it alone, and releases it. */
    private static <T> Outcome<T> read(ByteBuf in, Function<ByteBuf, T> reader) {
        int readerIndex = in.readerIndex();
        int writerIndex = in.writerIndex();
        try {
            return new Outcome<>(reader.apply(in), null);
        } catch (DiscoveryFormatException e) {
            if (e.getMessage() == null || e.getMessage().isEmpty()) {
                throw new AssertionError("a DiscoveryFormatException without a message", e);
            }
            return new Outcome<>(null, e.getMessage());
        } finally {
            if (in.readerIndex() != readerIndex || in.writerIndex() != writerIndex || in.refCnt() != 1) {
                throw new AssertionError("the reader moved the buffer's indices or changed its reference count");
            }
            in.release();
        }
    }

    /** A value read, or the message of the format error. */
    private record Outcome<T>(T value, String error) {
        @Override
        public boolean equals(Object other) {
            return other instanceof Outcome<?> that && Objects.equals(value, that.value)
                    && (error == null) == (that.error == null);
        }

        @Override
        public int hashCode() {
            return Objects.hashCode(value);
        }
    }
}
