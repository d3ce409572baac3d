package io.fedgate.core.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import javax.net.ssl.SSLException;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.util.ReferenceCountUtil;

import io.fedgate.core.tls.ClientSni;

/**
 * The named ClientHello corpus in {@code src/test/resources/clienthello/} (shipped in the test-jar as classpath
 * resources {@code /clienthello/<name>}), named like Envoy's TLS inspector corpus. The fuzz tests of the SNI
 * handlers start from it, and SNI unit tests can be parameterized over {@link #NAMES}:
 * <ul>
 *   <li>{@code valid_sni}: BoringSSL's ClientHello (netty-tcnative client engine) naming {@link #HOST};</li>
 *   <li>{@code outbound_form}: the same naming Istio's {@code outbound_.9080_._.<host>} form of {@link #HOST};</li>
 *   <li>{@code underscore_name}: naming {@link #UNDERSCORE_HOST}, not a STD3 host name;</li>
 *   <li>{@code no_sni}: BoringSSL's ClientHello without a server name;</li>
 *   <li>{@code fragmented}: {@code valid_sni}'s handshake message cut into TLS records of 64 bytes;</li>
 *   <li>{@code too_large}: a {@link ClientHelloBuilder} hello naming {@link #HOST}, 20,000 bytes (two records),
 *       beyond the default 16 KiB bound;</li>
 *   <li>{@code not_tls}: a plaintext HTTP request.</li>
 * </ul>
 * The BoringSSL hellos carry fresh randoms and key shares each time they are made; {@link #main} writes a new set.
 */
public final class ClientHelloCorpus {
    /** The server name of {@code valid_sni}, {@code fragmented} and {@code too_large}. */
    public static final String HOST = "ratings.bookinfo.svc.green-mesh-exports.local";
    /** The port of {@code outbound_form}'s name. */
    public static final int OUTBOUND_PORT = 9080;
    /** The server name of {@code underscore_name}. */
    public static final String UNDERSCORE_HOST = "ratings_v2.bookinfo.svc.green-mesh-exports.local";
    /** Every entry of the corpus. */
    public static final List<String> NAMES = List.of("valid_sni", "outbound_form", "underscore_name", "no_sni",
            "fragmented", "too_large", "not_tls");

    private static final int FRAGMENT = 64;

    private ClientHelloCorpus() {
    }

    /** The bytes of corpus entry {@code name}, from the classpath. */
    public static byte[] read(String name) {
        try (InputStream in = ClientHelloCorpus.class.getResourceAsStream("/clienthello/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no ClientHello corpus entry " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Makes entry {@code name} anew. */
    public static byte[] generate(String name) {
        return switch (name) {
            case "valid_sni" -> boringSslHello(HOST);
            case "outbound_form" -> boringSslHello("outbound_." + OUTBOUND_PORT + "_._." + HOST);
            case "underscore_name" -> boringSslHello(UNDERSCORE_HOST);
            case "no_sni" -> boringSslHello(null);
            case "fragmented" -> fragment(boringSslHello(HOST), FRAGMENT);
            case "too_large" -> ClientHelloBuilder.withSni(HOST).handshakeLength(20_000).build();
            case "not_tls" -> ("GET /v1/services/ HTTP/1.1\r\nHost: " + HOST + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII);
            default -> throw new IllegalArgumentException("no ClientHello corpus entry " + name);
        };
    }

    /** Writes every entry into directory {@code args[0]}, e.g. {@code gateway-core/src/test/resources/clienthello}. */
    public static void main(String[] args) throws IOException {
        Path directory = Path.of(args[0]);
        Files.createDirectories(directory);
        for (String name : NAMES) {
            Files.write(directory.resolve(name), generate(name));
        }
    }

    /** What a netty-tcnative (BoringSSL) client engine sends first, asking for {@code host} (none if null). */
    private static byte[] boringSslHello(String host) {
        SslContext context;
        try {
            context = SslContextBuilder.forClient().sslProvider(SslProvider.OPENSSL)
                    .trustManager(InsecureTrustManagerFactory.INSTANCE).build();
        } catch (SSLException e) {
            throw new IllegalStateException(e);
        }
        SslHandler handler = host == null ? context.newHandler(ByteBufAllocator.DEFAULT)
                : context.newHandler(ByteBufAllocator.DEFAULT, host, 15443);
        if (host != null) {
            ClientSni.request(handler.engine(), host);
        }
        EmbeddedChannel channel = new EmbeddedChannel(handler); // active: the handshake starts, the hello is written
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        for (ByteBuf out; (out = channel.readOutbound()) != null; ) {
            wire.writeBytes(ByteBufUtil.getBytes(out));
            out.release();
        }
        channel.finishAndReleaseAll();
        ReferenceCountUtil.release(context);
        return wire.toByteArray();
    }

    /** The handshake messages of {@code records} re-framed into records of at most {@code size} bytes. */
    private static byte[] fragment(byte[] records, int size) {
        ByteArrayOutputStream messages = new ByteArrayOutputStream();
        for (int offset = 0; offset < records.length; ) {
            int length = ((records[offset + 3] & 0xff) << 8) | (records[offset + 4] & 0xff);
            messages.write(records, offset + ClientHelloBuilder.RECORD_HEADER_LENGTH, length);
            offset += ClientHelloBuilder.RECORD_HEADER_LENGTH + length;
        }
        byte[] payload = messages.toByteArray();
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        for (int offset = 0; offset < payload.length; offset += size) {
            int length = Math.min(size, payload.length - offset);
            wire.write(records[0]);
            wire.write(records[1]);
            wire.write(records[2]);
            wire.write(length >>> 8);
            wire.write(length);
            wire.write(payload, offset, length);
        }
        return wire.toByteArray();
    }
}
