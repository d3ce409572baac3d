package io.fedgate.core.listener;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageEncoder;
import io.netty.handler.codec.haproxy.HAProxyProtocolException;
import io.netty.handler.codec.haproxy.HAProxyProtocolVersion;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol;

class ProxyProtocolHandlerTest {
    private static ByteBuf encoded(HAProxyMessage message) {
        EmbeddedChannel encoder = new EmbeddedChannel(HAProxyMessageEncoder.INSTANCE);
        encoder.writeOutbound(message);
        return encoder.readOutbound();
    }

    private static EmbeddedChannel channelWithRecord() {
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.attr(ConnectionRecord.KEY).set(new ConnectionRecord("service", new InetSocketAddress("10.9.9.9", 1)));
        ProxyProtocolHandler.addFirst(channel.pipeline());
        return channel;
    }

    @Test
    void aV2HeaderSetsTheDownstreamAddressAndTheBytesAfterItPassOn() {
        EmbeddedChannel channel = channelWithRecord();
        ByteBuf input = Unpooled.wrappedBuffer(encoded(new HAProxyMessage(HAProxyProtocolVersion.V2,
                HAProxyCommand.PROXY, HAProxyProxiedProtocol.TCP6, "2001:db8::7", "2001:db8::1", 41000, 15443)),
                Unpooled.copiedBuffer("client hello", StandardCharsets.US_ASCII));
        channel.writeInbound(input);
        ByteBuf after = channel.readInbound();
        assertThat(after.toString(StandardCharsets.US_ASCII)).isEqualTo("client hello");
        after.release();
        assertThat(ConnectionRecord.of(channel).downstreamAddress()).isEqualTo("[2001:db8:0:0:0:0:0:7]:41000");
        assertThat(channel.pipeline().get(ProxyProtocolHandler.NAME)).isNull();
        assertThat(channel.pipeline().get(ProxyProtocolHandler.DECODER)).isNull();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void aLocalHeaderKeepsTheSocketAddress() {
        EmbeddedChannel channel = channelWithRecord();
        channel.writeInbound(encoded(new HAProxyMessage(HAProxyProtocolVersion.V2, HAProxyCommand.LOCAL,
                HAProxyProxiedProtocol.UNKNOWN, null, null, 0, 0)));
        assertThat(ConnectionRecord.of(channel).downstreamAddress()).isEqualTo("10.9.9.9:1");
        channel.finishAndReleaseAll();
    }

    @Test
    void aConnectionThatStartsWithTlsFails() {
        EmbeddedChannel channel = channelWithRecord();
        // A ClientHello's first bytes: no PROXY signature, and no line end within v1's 107-byte bound.
        byte[] clientHello = new byte[512];
        clientHello[0] = 0x16;
        clientHello[1] = 0x03;
        clientHello[2] = 0x01;
        assertThatThrownBy(() -> channel.writeInbound(Unpooled.wrappedBuffer(clientHello)))
                .isInstanceOf(HAProxyProtocolException.class);
        channel.finishAndReleaseAll();
    }

    @Test
    void aV2TlvOverrunningItsSslTlvIsABadHeaderNotAnIndexError() {
        EmbeddedChannel channel = channelWithRecord();
        // Found by ProxyProtocolHandlerFuzzTest (seed v2_ssl_subtlv_overrun): Netty 4.2.18 throws
        // IndexOutOfBoundsException for it, which the listener reported as a TLS failure.
        byte[] header = {0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a, 0x21, 0x11, 0x00, 0x18,
                (byte) 192, 0, 2, 1, (byte) 198, 51, 100, 1, (byte) 0xdc, 0x04, 0x3c, 0x53,
                0x20, 0x00, 0x09, 0x01, 0x00, 0x00, 0x00, 0x00, 0x21, 0x04, 0x00, 0x78};
        assertThatThrownBy(() -> channel.writeInbound(Unpooled.wrappedBuffer(header)))
                .isInstanceOf(HAProxyProtocolException.class)
                .hasRootCauseInstanceOf(IndexOutOfBoundsException.class);
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }
}
