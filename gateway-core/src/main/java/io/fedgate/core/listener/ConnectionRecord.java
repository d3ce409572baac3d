package io.fedgate.core.listener;

import static java.util.Objects.requireNonNull;

import java.net.InetSocketAddress;
import java.net.SocketAddress;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;

/**
 * What is known about one downstream connection, filled in as it goes (address, server name, peer, upstream, bytes,
 * outcome) and written once to the access log when it ends. Confined to the connection's event loop, like the
 * handlers that fill it. Field names follow Envoy's access-log operators where Envoy has one.
 */
public final class ConnectionRecord {
    /** Where a downstream channel keeps its record. */
    public static final AttributeKey<ConnectionRecord> KEY = AttributeKey.valueOf("fedgate.connection");

    /** A relay ran; {@link #error()} says whether it ended on a failure. */
    public static final String RELAYED = "relayed";
    /** Refused before any byte was relayed; {@link #reason()} says why. */
    public static final String REFUSED = "refused";
    /** Served by the gateway itself (discovery) and closed. */
    public static final String SERVED = "served";

    private final String listener;
    private final long startMillis = System.currentTimeMillis();
    private final long startNanos = System.nanoTime();
    private SocketAddress downstream;
    private String serverName;
    private String peer;
    private String peerSpiffeId;
    private String upstream;
    private String cluster;
    private long bytesReceived = -1;
    private long bytesSent = -1;
    private long durationNanos = -1;
    private String result = SERVED;
    private String reason;
    private String detail;
    private String error;
    private boolean relaying;
    private boolean downstreamClosed;
    private boolean complete;

    public ConnectionRecord(String listener, SocketAddress downstream) {
        this.listener = requireNonNull(listener, "listener");
        this.downstream = downstream;
    }

    /** The record of {@code channel}, or {@code null} if it has none (connections of tests' bare pipelines). */
    public static ConnectionRecord of(Channel channel) {
        return channel.attr(KEY).get();
    }

    /** The downstream's address as a PROXY protocol header told it, replacing the socket's peer (the balancer). */
    public void downstream(SocketAddress address) {
        this.downstream = address;
    }

    public void serverName(String serverName) {
        this.serverName = serverName;
    }

    public void peer(String peer) {
        this.peer = peer;
    }

    public void peerSpiffeId(String id) {
        this.peerSpiffeId = id;
    }

    /** A relay started towards {@code upstream}; the record completes when the relay reports its end. */
    public void relayStarted(String cluster, SocketAddress upstream) {
        this.cluster = cluster;
        this.upstream = address(upstream);
        this.result = RELAYED;
        this.relaying = true;
    }

    /**
     * The relay ended.
     *
     * @param received bytes received from the downstream
     * @param sent     bytes sent to the downstream
     * @param failure  what ended it abnormally, or {@code null}
     * @return whether the record is now complete (the downstream closed too)
     */
    public boolean relayEnded(long received, long sent, Throwable failure) {
        this.bytesReceived = received;
        this.bytesSent = sent;
        this.error = failure == null ? null : String.valueOf(failure);
        this.relaying = false;
        return finish();
    }

    /** Refused before relaying, with a reason code and detail (what {@link DownstreamReporter} logs). */
    public void refused(String reason, String detail) {
        this.result = REFUSED;
        this.reason = reason;
        this.detail = detail;
    }

    /**
     * The downstream channel closed.
     *
     * @return whether the record is now complete (no relay is still reporting)
     */
    public boolean downstreamClosed() {
        downstreamClosed = true;
        return finish();
    }

    private boolean finish() {
        if (complete || relaying || !downstreamClosed) {
            return false;
        }
        durationNanos = System.nanoTime() - startNanos;
        complete = true;
        return true;
    }

    public String listener() {
        return listener;
    }

    /** {@link System#nanoTime()} at accept. */
    public long startNanos() {
        return startNanos;
    }

    /** Wall-clock start, epoch milliseconds. */
    public long startMillis() {
        return startMillis;
    }

    /** {@code host:port} of the downstream, or {@code null}. */
    public String downstreamAddress() {
        return address(downstream);
    }

    /** The downstream's address as a socket address (the PROXY protocol's source when one was given). */
    public SocketAddress downstreamSocketAddress() {
        return downstream;
    }

    public String serverName() {
        return serverName;
    }

    public String peer() {
        return peer;
    }

    public String peerSpiffeId() {
        return peerSpiffeId;
    }

    public String upstream() {
        return upstream;
    }

    public String cluster() {
        return cluster;
    }

    /** Bytes received from the downstream, or -1 when nothing was relayed. */
    public long bytesReceived() {
        return bytesReceived;
    }

    /** Bytes sent to the downstream, or -1 when nothing was relayed. */
    public long bytesSent() {
        return bytesSent;
    }

    /** From accept to the end, once complete; -1 before. */
    public long durationNanos() {
        return durationNanos;
    }

    public String result() {
        return result;
    }

    public String reason() {
        return reason;
    }

    public String detail() {
        return detail;
    }

    public String error() {
        return error;
    }

    static String address(SocketAddress address) {
        if (address instanceof InetSocketAddress) {
            InetSocketAddress inet = (InetSocketAddress) address;
            String host = inet.getAddress() == null ? inet.getHostString() : inet.getAddress().getHostAddress();
            return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + inet.getPort();
        }
        return address == null ? null : address.toString();
    }
}
