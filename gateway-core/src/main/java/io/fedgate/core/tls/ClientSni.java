package io.fedgate.core.tls;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.util.List;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.StandardConstants;

import io.netty.handler.ssl.ReferenceCountedOpenSslEngine;
import io.netty.internal.tcnative.SSL;
import io.netty.util.NetUtil;

/**
 * Names a server in a client's ClientHello (SNI), also names that are not STD3 host names, such as Istio's
 * {@code outbound_.9080_._.<host>}. Netty derives SNI from the peer host given to
 * {@code SslContext.newHandler(alloc, host, port)} only when {@code new SNIHostName(host)} accepts it, and the JDK
 * refuses underscores there: both providers then send no SNI at all, silently. For such names this sets the name
 * on the native SSL of a netty-tcnative engine, or passes an unchecked {@code host_name} server name to a JDK
 * engine. IP literals get no SNI (RFC 6066).
 */
public final class ClientSni {
    private ClientSni() {
    }

    /**
     * Asks {@code engine} to send {@code host} as its SNI. Call before the handshake starts, i.e. before the
     * {@code SslHandler} is added to an active channel's pipeline, or right after it is added to an unconnected one.
     */
    public static void request(SSLEngine engine, String host) {
        requireNonNull(engine, "engine");
        requireNonNull(host, "host");
        if (NetUtil.isValidIpV4Address(host) || NetUtil.isValidIpV6Address(host)) {
            return;
        }
        if (isStd3HostName(host) && host.equals(engine.getPeerHost())) {
            return; // Netty already asked for it.
        }
        if (engine instanceof ReferenceCountedOpenSslEngine) {
            ReferenceCountedOpenSslEngine openSsl = (ReferenceCountedOpenSslEngine) engine;
            // The engine guards its native SSL with its own monitor.
            synchronized (openSsl) {
                SSL.setTlsExtHostName(openSsl.sslPointer(), host);
            }
        } else {
            SSLParameters parameters = engine.getSSLParameters();
            parameters.setServerNames(List.of(isStd3HostName(host) ? new SNIHostName(host) : new RawHostName(host)));
            engine.setSSLParameters(parameters);
        }
    }

    private static boolean isStd3HostName(String host) {
        try {
            new SNIHostName(host);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** A {@code host_name} server name with no checks, written into the ClientHello as given. */
    private static final class RawHostName extends SNIServerName {
        RawHostName(String host) {
            super(StandardConstants.SNI_HOST_NAME, host.getBytes(StandardCharsets.US_ASCII));
        }
    }
}
