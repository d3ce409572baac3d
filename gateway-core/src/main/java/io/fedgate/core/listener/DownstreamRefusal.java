package io.fedgate.core.listener;

import java.io.IOException;

import javax.net.ssl.SSLException;

import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.haproxy.HAProxyProtocolException;
import io.netty.handler.ssl.NotSslRecordException;
import io.netty.handler.ssl.SslHandshakeTimeoutException;

import io.fedgate.core.relay.UpstreamConnector.NoEndpointReachableException;
import io.fedgate.core.trust.PeerRefusal;
import io.fedgate.core.trust.RefusalReason;

/**
 * Why a downstream connection was refused before any byte was relayed, other than its TLS identity (those are
 * {@link RefusalReason}). Together the two are every refusal code a gateway logs, counts and shows; the
 * {@link #code()} strings are stable public surface (log lines, the {@code reason} tag, the access log, the status).
 */
public enum DownstreamRefusal {
    /** The downstream's first bytes are not a TLS handshake record. */
    NOT_TLS("not-tls"),
    /** No server name in the ClientHello. */
    NO_SNI("no-sni"),
    /** A server name no route serves. */
    UNKNOWN_SNI("unknown-sni"),
    /** A plain host name of a service with several ports: only {@code outbound_.<port>_._.<host>} says which. */
    SNI_NEEDS_PORT("sni-needs-port"),
    /** The ClientHello is larger than {@code --max-client-hello}. */
    CLIENT_HELLO_TOO_LARGE("client-hello-too-large"),
    /** No ClientHello, or no complete handshake, within {@code --handshake-timeout}. */
    HANDSHAKE_TIMEOUT("handshake-timeout"),
    /** The downstream closed, reset or half-closed before its TLS handshake completed. */
    CLOSED_BEFORE_HANDSHAKE("closed-before-handshake"),
    /** No endpoint of the route's cluster accepted a connection. */
    UPSTREAM_UNREACHABLE("upstream-unreachable"),
    /** {@code --proxy-protocol} is on and the connection did not start with a valid PROXY header. */
    BAD_PROXY_PROTOCOL("bad-proxy-protocol"),
    /** The listener's budget (its share of {@code --max-connections}, or the admin's) is full. */
    MAX_CONNECTIONS("max-connections"),
    /** The peer the connection is routed to holds {@code --max-connections-per-peer} already. */
    MAX_CONNECTIONS_PER_PEER("max-connections-per-peer"),
    /** An HTTP listener's connection sent no complete first request within {@code --request-timeout}. */
    REQUEST_TIMEOUT("request-timeout");

    private final String code;

    DownstreamRefusal(String code) {
        this.code = code;
    }

    /** The stable kebab-case code, e.g. {@code unknown-sni}. */
    public String code() {
        return code;
    }

    @Override
    public String toString() {
        return code;
    }

    /** A refusal as reported: its code (of this enum or of {@link RefusalReason}) and what it saw. */
    public record Classified(String code, String detail) {
    }

    /**
     * What a failure that ended a connection before its relay means: the route refusals, PROXY protocol and
     * ClientHello failures, timeouts and closes of this enum, else the TLS refusal {@link PeerRefusal} finds in it.
     * Pure: it only reads the exception.
     */
    public static Classified classify(Throwable cause) {
        Throwable root = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
        if (cause instanceof HAProxyProtocolException || root instanceof HAProxyProtocolException) {
            return new Classified(BAD_PROXY_PROTOCOL.code, String.valueOf(root.getMessage()));
        } else if (root instanceof RouteRefusedException route) {
            return new Classified(route.reason(), route.getMessage());
        } else if (root instanceof NoEndpointReachableException) {
            return new Classified(UPSTREAM_UNREACHABLE.code, root.getMessage());
        } else if (root instanceof TooLongFrameException) {
            return new Classified(CLIENT_HELLO_TOO_LARGE.code, root.getMessage());
        } else if (root instanceof NotSslRecordException) {
            return new Classified(NOT_TLS.code, "the first bytes are not a TLS record");
        } else if (root instanceof SslHandshakeTimeoutException) {
            return new Classified(HANDSHAKE_TIMEOUT.code, root.getMessage());
        } else if (root instanceof IOException && !(root instanceof SSLException)) {
            return new Classified(CLOSED_BEFORE_HANDSHAKE.code, String.valueOf(root.getMessage()));
        }
        // TLS failures: the SPIFFE refusals, no client certificate, protocol errors.
        PeerRefusal refusal = PeerRefusal.of(root);
        return new Classified(refusal.reason().code(), refusal.detail());
    }
}
