package io.fedgate.core.listener;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

import javax.net.ssl.SSLHandshakeException;

import org.junit.jupiter.api.Test;

import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.haproxy.HAProxyProtocolException;
import io.netty.handler.ssl.NotSslRecordException;
import io.netty.handler.ssl.SslHandshakeTimeoutException;

import io.fedgate.core.trust.RefusalReason;

class DownstreamRefusalTest {
    private static String code(Throwable cause) {
        return DownstreamRefusal.classify(cause).code();
    }

    @Test
    void eachFailureBeforeTheRelayHasItsCode() {
        assertThat(code(new DecoderException(new HAProxyProtocolException("bad v2 signature"))))
                .isEqualTo("bad-proxy-protocol");
        assertThat(code(new HAProxyProtocolException("x"))).isEqualTo("bad-proxy-protocol");
        assertThat(code(new DecoderException(new TooLongFrameException("ClientHello of 70000 bytes"))))
                .isEqualTo("client-hello-too-large");
        assertThat(code(new NotSslRecordException("x"))).isEqualTo("not-tls");
        assertThat(code(new SslHandshakeTimeoutException("handshake timed out after 2000ms")))
                .isEqualTo("handshake-timeout");
        assertThat(code(new IOException("Connection reset by peer"))).isEqualTo("closed-before-handshake");
        assertThat(code(new RouteRefusedException(DownstreamRefusal.SNI_NEEDS_PORT, "which port?")))
                .isEqualTo("sni-needs-port");
        assertThat(DownstreamRefusal.classify(new RouteRefusedException(DownstreamRefusal.UNKNOWN_SNI, "no route")).detail())
                .isEqualTo("no route");
        assertThat(code(new SSLHandshakeException("anything else"))).as("a TLS failure, not a close")
                .isEqualTo(RefusalReason.HANDSHAKE_FAILED.code());
    }

    @Test
    void codesAreKebabCaseAndNoneIsATlsIdentityCode() {
        Set<String> tls = new HashSet<>();
        Arrays.stream(RefusalReason.values()).forEach(reason -> tls.add(reason.code()));
        for (DownstreamRefusal refusal : DownstreamRefusal.values()) {
            assertThat(refusal.code()).matches("[a-z]+(-[a-z]+)*");
            assertThat(tls).doesNotContain(refusal.code());
        }
    }
}
