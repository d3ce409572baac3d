package io.fedgate.core.listener;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageEncoder;
import io.netty.handler.codec.haproxy.HAProxyProtocolVersion;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol;
import io.netty.handler.codec.haproxy.HAProxyTLV;

/**
 * The PROXY protocol v2 header a gateway sends first to an upstream that asks for it: the downstream's address as
 * source, the address it connected to as destination, the server name it asked for ({@code PP2_TYPE_AUTHORITY}),
 * and, when the gateway authenticated it, its SPIFFE ID in TLV {@code 0xE0} (the first of the protocol's custom
 * types): a backend can learn which mesh, and which workload of it, called.
 */
public final class UpstreamProxyHeader {
    /** TLV type carrying the downstream's SPIFFE ID, UTF-8. */
    public static final byte SPIFFE_ID_TLV = (byte) 0xE0;
    /** {@code PP2_TYPE_AUTHORITY}: the server name the client asked for. */
    public static final byte AUTHORITY_TLV = 0x02;

    private UpstreamProxyHeader() {
    }

    /**
     * A header for a TCP connection from {@code source} to {@code destination}, with {@code tlvs}. An address
     * family mismatch (an IPv4 client behind a balancer reached over IPv6) keeps the source's family, with the
     * unspecified address of that family as destination.
     */
    public static HAProxyMessage of(InetSocketAddress source, InetSocketAddress destination, List<HAProxyTLV> tlvs) {
        boolean v6 = source.getAddress() instanceof Inet6Address;
        String destinationHost = destination.getAddress() instanceof Inet6Address == v6
                ? destination.getAddress().getHostAddress() : (v6 ? "::" : "0.0.0.0");
        return new HAProxyMessage(HAProxyProtocolVersion.V2, HAProxyCommand.PROXY,
                v6 ? HAProxyProxiedProtocol.TCP6 : HAProxyProxiedProtocol.TCP4, source.getAddress().getHostAddress(),
                destinationHost, source.getPort(), destination.getPort(), tlvs);
    }

    /**
     * Writes the header of {@code downstream}'s connection (its record's address, server name and SPIFFE ID) to
     * {@code upstream}, before anything else. Call on the event loop, before the relay starts.
     */
    public static void send(Channel downstream, Channel upstream) {
        ConnectionRecord record = ConnectionRecord.of(downstream);
        SocketAddress source = record != null && record.downstreamSocketAddress() != null
                ? record.downstreamSocketAddress() : downstream.remoteAddress();
        List<HAProxyTLV> tlvs = new ArrayList<>(2);
        if (record != null && record.serverName() != null) {
            tlvs.add(tlv(AUTHORITY_TLV, record.serverName()));
        }
        if (record != null && record.peerSpiffeId() != null) {
            tlvs.add(tlv(SPIFFE_ID_TLV, record.peerSpiffeId()));
        }
        HAProxyMessage header = of(inet(source), inet(downstream.localAddress()), tlvs);
        upstream.pipeline().addFirst(HAProxyMessageEncoder.INSTANCE);
        upstream.writeAndFlush(header); // encoded at once on the event loop; the encoder releases the message
        upstream.pipeline().remove(HAProxyMessageEncoder.INSTANCE);
    }

    private static HAProxyTLV tlv(byte type, String value) {
        return new HAProxyTLV(type, Unpooled.copiedBuffer(value, StandardCharsets.UTF_8));
    }

    private static InetSocketAddress inet(SocketAddress address) {
        if (address instanceof InetSocketAddress) {
            return (InetSocketAddress) address;
        }
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), 0); // not an IP socket: tests' local channels
    }
}
