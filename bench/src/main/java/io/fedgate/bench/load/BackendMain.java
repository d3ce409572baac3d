package io.fedgate.bench.load;

import java.net.InetSocketAddress;
import java.nio.file.Path;

import io.netty.handler.ssl.SslContext;

import io.fedgate.core.cli.CommandLine;
import io.fedgate.core.spiffe.SpiffeId;
import io.fedgate.core.tls.GatewayIdentity;
import io.fedgate.core.tls.Pem;
import io.fedgate.core.tls.SslContexts;
import io.fedgate.core.tls.TlsProvider;
import io.fedgate.core.trust.PeerAuthorizer;
import io.fedgate.core.trust.TrustBundles;

/**
 * The load runs' backend as a process of its own (so its CPU can be pinned and, as the direct-TLS server, measured):
 * plain and/or TLS sink and echo listeners, each logged as {@code listening: <name> <host>:<port>}.
 */
public final class BackendMain {
    private BackendMain() {
    }

    public static void main(String[] args) throws Exception {
        CommandLine cli = new CommandLine("load-backend", "Sink and echo services for load runs.")
                .option("host", "ADDR", "127.0.0.1", "address to bind")
                .option("threads", "N", "1", "event-loop threads")
                .flag("plain", "serve plain sink and echo")
                .optional("tls-identity", "DIR", "serve TLS sink and echo with cert-chain.pem/key.pem/root-cert.pem in DIR")
                .optional("client-id", "SPIFFE-ID", "with TLS: the only client accepted")
                .optional("client-root", "FILE", "with TLS: the root the client's certificate chains to");
        CommandLine.Parsed parsed = cli.parse(args);
        if (!parsed.problems().isEmpty() || parsed.helpRequested()) {
            parsed.problems().forEach(System.err::println);
            System.out.print(cli.usage());
            System.exit(parsed.helpRequested() ? 0 : 2);
        }
        String host = parsed.value("host");
        try (LoadBackend backend = new LoadBackend(parsed.integer("threads", 1, 64))) {
            if (parsed.has("plain")) {
                report("sink", backend.listen(LoadBackend.Kind.SINK, new InetSocketAddress(host, 0), null));
                report("echo", backend.listen(LoadBackend.Kind.ECHO, new InetSocketAddress(host, 0), null));
            }
            if (parsed.has("tls-identity")) {
                SpiffeId client = SpiffeId.parse(parsed.value("client-id"));
                SslContext tls = SslContexts.forServer(GatewayIdentity.loadDirectory(Path.of(parsed.value("tls-identity"))),
                        TrustBundles.builder().add(client.trustDomain(),
                                Pem.readCertificates(Path.of(parsed.value("client-root")))).build(),
                        PeerAuthorizer.exactly(client), TlsProvider.preferred());
                report("tls-sink", backend.listen(LoadBackend.Kind.SINK, new InetSocketAddress(host, 0), tls));
                report("tls-echo", backend.listen(LoadBackend.Kind.ECHO, new InetSocketAddress(host, 0), tls));
            }
            System.out.flush();
            Thread.currentThread().join(); // until killed
        }
    }

    private static void report(String name, InetSocketAddress address) {
        System.out.println("listening: " + name + " " + address.getHostString() + ":" + address.getPort());
    }

}
