package io.fedgate.core.probe;

import io.netty.handler.ssl.SslContext;

/**
 * A {@link DigestingBackend} that terminates TLS itself: the far end of an SNI pass-through test. Each connection
 * goes through Netty's {@code SniHandler} (so the SNI host name is read from the ClientHello, whatever the
 * provider) and then an {@code SslHandler} of the one server context; its {@link ConnectionReport} carries the
 * {@linkplain ConnectionReport#sni() SNI}, the {@linkplain ConnectionReport#handshake() handshake outcome} and the
 * client's {@linkplain ConnectionReport#peer() SPIFFE ID}. Sending starts once the handshake succeeded.
 *
 * <pre>{@code
 * SslContext server = SslContexts.forServer(pki.red().ingressIdentity(pki.green()), pki.bundles(),
 *         pki.green().egressAuthorizer(pki.red()), TlsProvider.select());
 * try (TlsBackend backend = DigestingBackend.builder().echo().startTls(server)) { ... }
 * }</pre>
 */
public final class TlsBackend extends DigestingBackend {
    private final SslContext serverContext;

    TlsBackend(DigestingBackend.Builder config, SslContext serverContext) {
        super(config, serverContext);
        this.serverContext = serverContext;
    }

    /** The server context every connection's handshake uses. */
    public SslContext serverContext() {
        return serverContext;
    }
}
