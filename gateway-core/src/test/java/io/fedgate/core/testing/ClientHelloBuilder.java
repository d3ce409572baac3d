package io.fedgate.core.testing;

import static java.util.Objects.requireNonNull;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import io.fedgate.core.probe.PseudoRandomBytes;

/**
 * Builds the bytes of a syntactically valid TLS 1.3 ClientHello as a client sends them: handshake records
 * ({@code 0x16}, record version TLS 1.0 as browsers send it) carrying one ClientHello with a {@code server_name}
 * (optional), {@code supported_versions} (1.3, 1.2), {@code supported_groups}, {@code signature_algorithms},
 * {@code key_share} (an X25519 share), {@code psk_key_exchange_modes}, {@code ec_point_formats} and, to reach an
 * exact size, {@code padding} (RFC 7685). A real server answers it with a ServerHello. Random parts come from a
 * seed, so the same builder gives the same bytes.
 *
 * <p>Sizes are counted as Netty's {@code SslClientHelloHandler} counts them against {@code maxClientHelloLength}:
 * the ClientHello message's 24-bit length field, without its 4-byte header. {@link #handshakeLength(int)} pads to
 * exactly that; messages longer than {@link #maxRecordLength(int)} (default 2<sup>14</sup>, the most TLS allows) are
 * split over several records. {@link #truncate(byte[], int)} cuts any of it short, for a hello that never completes.
 *
 * <pre>{@code
 * byte[] hello = ClientHelloBuilder.withSni("ratings.bookinfo.svc.green-mesh-exports.local")
 *         .handshakeLength(20_000).build();          // two records, larger than a 16 KiB bound
 * byte[] cut = ClientHelloBuilder.truncate(hello, 100);
 * }</pre>
 */
public final class ClientHelloBuilder {
    /** The largest record payload TLS allows (2<sup>14</sup>). */
    public static final int MAX_RECORD_LENGTH = 1 << 14;
    /** Record header: type, version, length. */
    public static final int RECORD_HEADER_LENGTH = 5;
    /** Handshake header: type and 24-bit length. */
    public static final int HANDSHAKE_HEADER_LENGTH = 4;

    private static final int[] CIPHER_SUITES = {0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8};
    private static final int[] GROUPS = {0x001d, 0x0017, 0x0018};
    private static final int[] SIGNATURE_SCHEMES = {0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501};
    private static final int EXTENSION_PADDING = 0x0015;
    private static final int EXTENSIONS_MAX = 0xFFFF;

    private String sni;
    private int handshakeLength = -1;
    private int maxRecordLength = MAX_RECORD_LENGTH;
    private long seed = 1;

    private ClientHelloBuilder() {
    }

    /** A ClientHello naming {@code sni} (written as given, underscores included). */
    public static ClientHelloBuilder withSni(String sni) {
        ClientHelloBuilder builder = new ClientHelloBuilder();
        builder.sni = requireNonNull(sni, "sni");
        if (sni.isEmpty() || sni.length() > 0xFFFF) {
            throw new IllegalArgumentException("sni: " + sni.length() + " characters (expected: 1-65535)");
        }
        return builder;
    }

    /** A ClientHello without a {@code server_name} extension. */
    public static ClientHelloBuilder withoutSni() {
        return new ClientHelloBuilder();
    }

    /**
     * Pads the ClientHello so that its handshake length field (message body, no header) is exactly {@code length}.
     * Must be the unpadded length, or at least 4 more (an empty padding extension takes 4 bytes), and fit the 64 KiB
     * extensions block.
     */
    public ClientHelloBuilder handshakeLength(int length) {
        if (length < 0) {
            throw new IllegalArgumentException("handshakeLength: " + length + " (expected: >= 0)");
        }
        this.handshakeLength = length;
        return this;
    }

    /** The largest record payload to use; smaller values split even a small hello (a "fragmented" hello). */
    public ClientHelloBuilder maxRecordLength(int length) {
        if (length < 1 || length > MAX_RECORD_LENGTH) {
            throw new IllegalArgumentException("maxRecordLength: " + length + " (expected: 1-" + MAX_RECORD_LENGTH + ")");
        }
        this.maxRecordLength = length;
        return this;
    }

    /** Seed of the random, session id and key share; default 1. */
    public ClientHelloBuilder seed(long seed) {
        this.seed = seed;
        return this;
    }

    /** The handshake length without padding: the smallest this hello can be. */
    public int unpaddedHandshakeLength() {
        return body(-1).length;
    }

    /** The records on the wire. */
    public byte[] build() {
        byte[] body = body(handshakeLength);
        byte[] message = new byte[HANDSHAKE_HEADER_LENGTH + body.length];
        message[0] = 0x01; // client_hello
        message[1] = (byte) (body.length >>> 16);
        message[2] = (byte) (body.length >>> 8);
        message[3] = (byte) body.length;
        System.arraycopy(body, 0, message, HANDSHAKE_HEADER_LENGTH, body.length);
        ByteArrayOutputStream wire = new ByteArrayOutputStream(message.length + 5 * (message.length / maxRecordLength + 1));
        for (int offset = 0; offset < message.length; offset += maxRecordLength) {
            int length = Math.min(maxRecordLength, message.length - offset);
            wire.write(0x16); // handshake
            wire.write(0x03);
            wire.write(0x01); // TLS 1.0 record version, as clients send in their first record
            wire.write(length >>> 8);
            wire.write(length);
            wire.write(message, offset, length);
        }
        return wire.toByteArray();
    }

    /** The first {@code length} bytes of {@code hello}: the server waits for the rest. */
    public static byte[] truncate(byte[] hello, int length) {
        requireNonNull(hello, "hello");
        if (length < 0 || length >= hello.length) {
            throw new IllegalArgumentException("length: " + length + " (expected: 0-" + (hello.length - 1) + ")");
        }
        return Arrays.copyOf(hello, length);
    }

    /** The body of the ClientHello message, padded to {@code paddedLength} unless it is negative. */
    private byte[] body(int paddedLength) {
        PseudoRandomBytes random = new PseudoRandomBytes(seed);
        Bytes extensions = new Bytes();
        if (sni != null) {
            byte[] name = sni.getBytes(StandardCharsets.US_ASCII);
            Bytes list = new Bytes().u8(0).u16(name.length).raw(name); // host_name
            extensions.u16(0x0000).u16(list.size() + 2).u16(list.size()).raw(list.toArray());
        }
        extensions.u16(0x000a).u16(2 + 2 * GROUPS.length).u16(2 * GROUPS.length);
        for (int group : GROUPS) {
            extensions.u16(group);
        }
        extensions.u16(0x000b).u16(2).u8(1).u8(0); // ec_point_formats: uncompressed
        extensions.u16(0x000d).u16(2 + 2 * SIGNATURE_SCHEMES.length).u16(2 * SIGNATURE_SCHEMES.length);
        for (int scheme : SIGNATURE_SCHEMES) {
            extensions.u16(scheme);
        }
        extensions.u16(0x002b).u16(5).u8(4).u16(0x0304).u16(0x0303); // supported_versions
        extensions.u16(0x002d).u16(2).u8(1).u8(1); // psk_key_exchange_modes: psk_dhe_ke
        extensions.u16(0x0033).u16(2 + 4 + 32).u16(4 + 32).u16(0x001d).u16(32).raw(random.next(32)); // key_share

        Bytes body = new Bytes().u16(0x0303).raw(random.next(32)).u8(32).raw(random.next(32));
        body.u16(2 * CIPHER_SUITES.length);
        for (int suite : CIPHER_SUITES) {
            body.u16(suite);
        }
        body.u8(1).u8(0); // compression: null
        int unpadded = body.size() + 2 + extensions.size();
        if (paddedLength >= 0 && paddedLength != unpadded) {
            int padding = paddedLength - unpadded - 4;
            if (padding < 0) {
                throw new IllegalArgumentException("handshakeLength: " + paddedLength + " (expected: " + unpadded
                        + ", or >= " + (unpadded + 4) + " for a padding extension)");
            }
            if (extensions.size() + 4 + padding > EXTENSIONS_MAX) {
                throw new IllegalArgumentException("handshakeLength: " + paddedLength + " (expected: <= "
                        + (unpadded + EXTENSIONS_MAX - extensions.size()) + ", the 64 KiB extensions block)");
            }
            extensions.u16(EXTENSION_PADDING).u16(padding).raw(new byte[padding]);
        }
        return body.u16(extensions.size()).raw(extensions.toArray()).toArray();
    }

    /** A big-endian byte writer. */
    private static final class Bytes {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Bytes u8(int value) {
            out.write(value);
            return this;
        }

        Bytes u16(int value) {
            out.write(value >>> 8);
            out.write(value);
            return this;
        }

        Bytes raw(byte[] bytes) {
            out.write(bytes, 0, bytes.length);
            return this;
        }

        int size() {
            return out.size();
        }

        byte[] toArray() {
            return out.toByteArray();
        }
    }
}
