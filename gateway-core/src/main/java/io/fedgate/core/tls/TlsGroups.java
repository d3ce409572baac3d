package io.fedgate.core.tls;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import io.netty.handler.ssl.OpenSslContextOption;
import io.netty.handler.ssl.SslContextBuilder;

/**
 * The key-exchange groups a gateway offers and accepts, Envoy's {@code ecdh_curves}. By default BoringSSL's list
 * as Netty sets it: the post-quantum hybrid {@code X25519MLKEM768} first, then {@code x25519}, P-256, P-384 and
 * P-521, so that two fedgates, or fedgate and a recent Envoy, agree on the hybrid. The {@value #PROPERTY} system
 * property replaces the list (comma-separated, preference order, OpenSSL names), e.g. {@code x25519} to match a peer
 * or a load balancer that has no hybrid, or to measure like with like against one.
 */
public final class TlsGroups {
    /** System property naming the groups, e.g. {@code X25519MLKEM768,x25519}. */
    public static final String PROPERTY = "fedgate.tls.groups";

    private TlsGroups() {
    }

    /** The groups {@value #PROPERTY} names, or empty for the TLS library's defaults. */
    public static Optional<List<String>> configured() {
        return parse(System.getProperty(PROPERTY));
    }

    /**
     * Parses a comma-separated list; blank means the defaults.
     *
     * @throws IllegalArgumentException for an empty element ({@code x25519,,P-256})
     */
    public static Optional<List<String>> parse(String value) {
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        List<String> groups = Arrays.stream(value.split(",", -1)).map(String::trim).toList();
        if (groups.contains("")) {
            throw new IllegalArgumentException(PROPERTY + ": " + value + " (expected: comma-separated group names, "
                    + "e.g. X25519MLKEM768,x25519)");
        }
        return Optional.of(groups);
    }

    /**
     * Applies the configured groups to {@code builder}. BoringSSL refuses unknown names when the context is built.
     *
     * @throws IllegalStateException if groups are configured and the provider is the JDK's, which takes them from
     *                               {@code jdk.tls.namedGroups} instead
     */
    static SslContextBuilder apply(SslContextBuilder builder, TlsProvider provider) {
        Optional<List<String>> groups = configured();
        if (groups.isEmpty()) {
            return builder;
        }
        if (provider != TlsProvider.OPENSSL) {
            throw new IllegalStateException(PROPERTY + " applies to BoringSSL; with the JDK's TLS provider set "
                    + "jdk.tls.namedGroups instead");
        }
        return builder.option(OpenSslContextOption.GROUPS, groups.get().toArray(String[]::new));
    }
}
