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
 * Names a host in a client engine's SNI extension, including names the JDK refuses. Netty derives SNI from the peer
 * host of {@code SslContext.newHandler(alloc, host, port)} only when {@code new SNIHostName(host)} accepts it, and
 * the JDK's STD3 rules refuse the underscores of Istio's {@code outbound_.9080_._.<host>}: both providers then send
 * no SNI at all, silently. {@link #apply} sets such names on the native SSL of a netty-tcnative engine, or as a raw
 * {@code host_name} server name on a JDK engine.
 */
public final class ClientSni {
    private ClientSni() {
    }

    /**
     * Makes {@code engine} (a client engine whose handshake has not started) send {@code host} as SNI. IP literals
     * get none (RFC 6066); names the JDK accepts are set as an {@link SNIHostName} (Netty already does that for the
     * peer host given to {@code newHandler}).
     */
    public static void apply(SSLEngine engine, String host) {
        requireNonNull(engine, "engine");
        requireNonNull(host, "host");
        if (!engine.getUseClientMode()) {
            throw new IllegalArgumentException("engine: a server engine (expected: a client engine)");
        }
        if (host.isEmpty() || NetUtil.isValidIpV4Address(host) || NetUtil.isValidIpV6Address(host)) {
            return;
        }
        SNIServerName name;
        try {
            name = new SNIHostName(host);
        } catch (IllegalArgumentException e) {
            name = null; // Not an STD3 host name.
        }
        if (name == null && engine instanceof ReferenceCountedOpenSslEngine openSsl) {
            synchronized (openSsl) {
                SSL.setTlsExtHostName(openSsl.sslPointer(), host);
            }
            return;
        }
        SSLParameters parameters = engine.getSSLParameters();
        parameters.setServerNames(List.of(name != null ? name : new RawHostName(host)));
        engine.setSSLParameters(parameters);
    }

    /** A {@code host_name} server name with no checks, written into the ClientHello as given. */
    private static final class RawHostName extends SNIServerName {
        RawHostName(String host) {
            super(StandardConstants.SNI_HOST_NAME, host.getBytes(StandardCharsets.US_ASCII));
        }
    }
}
