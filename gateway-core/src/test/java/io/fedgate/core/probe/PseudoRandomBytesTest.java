package io.fedgate.core.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;

import org.junit.jupiter.api.Test;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;

/** {@link PseudoRandomBytes} and {@link StreamDigest}: same bytes however read, same digest however fed. */
class PseudoRandomBytesTest {

    @Test
    void theStreamDoesNotDependOnChunking() {
        byte[] whole = new PseudoRandomBytes(42).next(1000);
        PseudoRandomBytes chunked = new PseudoRandomBytes(42);
        ByteArrayOutputStream parts = new ByteArrayOutputStream();
        for (int size : new int[] {1, 7, 8, 3, 100, 13, 868}) {
            parts.writeBytes(chunked.next(size));
        }
        assertThat(parts.toByteArray()).isEqualTo(whole);
        assertThat(chunked.position()).isEqualTo(1000);
        assertThat(new PseudoRandomBytes(43).next(1000)).isNotEqualTo(whole);
    }

    @Test
    void digestsMatchWhateverTheBufferKind() {
        byte[] data = new PseudoRandomBytes(5).next(10_000);
        String expected = PseudoRandomBytes.sha256Hex(5, 10_000);

        StreamDigest fromArray = new StreamDigest();
        fromArray.update(data, 0, data.length);
        assertThat(fromArray.sha256Hex()).isEqualTo(expected);
        assertThat(fromArray.bytes()).isEqualTo(10_000);

        ByteBuf direct = Unpooled.directBuffer(data.length).writeBytes(data);
        CompositeByteBuf composite = Unpooled.compositeBuffer()
                .addComponent(true, Unpooled.wrappedBuffer(data, 0, 4000))
                .addComponent(true, Unpooled.directBuffer(6000).writeBytes(data, 4000, 6000));
        try {
            direct.readerIndex(0);
            StreamDigest fromDirect = new StreamDigest();
            fromDirect.update(direct);
            StreamDigest fromComposite = new StreamDigest();
            fromComposite.update(composite);
            assertThat(fromDirect.sha256Hex()).isEqualTo(expected);
            assertThat(fromComposite.sha256Hex()).isEqualTo(expected);
            assertThat(direct.readerIndex()).as("indexes untouched").isZero();
        } finally {
            direct.release();
            composite.release();
        }
    }

    @Test
    void anEmptyStreamHasTheEmptyDigestAndAFinishedDigestTakesNoMore() {
        assertThat(PseudoRandomBytes.sha256Hex(1, 0)).isEqualTo(StreamDigest.EMPTY_SHA256);
        StreamDigest digest = new StreamDigest();
        digest.sha256Hex();
        assertThatThrownBy(() -> digest.update(new byte[1], 0, 1)).isInstanceOf(IllegalStateException.class);
    }
}
