package io.fedgate.core.tls;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import javax.net.ssl.SSLEngine;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.util.ReferenceCountUtil;

/** The ClientHello carries the name {@link ClientSni} sets, whichever provider. */
class ClientSniTest {
    private static final String OUTBOUND = "outbound_.9080_._.ratings.bookinfo.svc.green-mesh-exports.local";

    static java.util.List<TlsProvider> providers() {
        return TlsProvider.available();
    }

    private static String clientHello(TlsProvider provider, String host) throws Exception {
        SslContext context = SslContextBuilder.forClient().sslProvider(provider.sslProvider()).build();
        SSLEngine engine = context.newEngine(ByteBufAllocator.DEFAULT);
        try {
            ClientSni.apply(engine, host);
            engine.beginHandshake();
            ByteBuffer out = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
            engine.wrap(ByteBuffer.allocate(0), out);
            out.flip();
            byte[] bytes = new byte[out.remaining()];
            out.get(bytes);
            return new String(bytes, StandardCharsets.ISO_8859_1);
        } finally {
            ReferenceCountUtil.release(engine);
        }
    }

    @ParameterizedTest
    @MethodSource("providers")
    void sendsNamesWithUnderscores(TlsProvider provider) throws Exception {
        assertThat(clientHello(provider, OUTBOUND)).contains(OUTBOUND);
    }

    @ParameterizedTest
    @MethodSource("providers")
    void sendsOrdinaryNames(TlsProvider provider) throws Exception {
        assertThat(clientHello(provider, "discovery.red-mesh-system.svc.green-mesh.local"))
                .contains("discovery.red-mesh-system.svc.green-mesh.local");
    }
}
