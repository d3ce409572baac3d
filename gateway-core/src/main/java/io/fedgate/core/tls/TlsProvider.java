package io.fedgate.core.tls;

import static java.util.Objects.requireNonNull;

import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import javax.net.ssl.SSLContext;

import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslProvider;

import io.fedgate.core.BuildInfo;

/**
 * The TLS implementation behind Netty's {@code SslHandler}: BoringSSL through netty-tcnative (faster, and the
 * same library Envoy uses) when it loads on this platform, the JDK's otherwise. {@link #select()} takes the
 * {@value #PROPERTY} system property ({@code openssl} or {@code jdk}) as an override, so that tests and operators
 * can force either one.
 */
public enum TlsProvider {
    /** OpenSSL API via netty-tcnative; the bundled library is BoringSSL. */
    OPENSSL(SslProvider.OPENSSL),
    /** The JDK's own TLS (SunJSSE). */
    JDK(SslProvider.JDK);

    /** System property that forces a provider: {@code openssl} (alias {@code boringssl}) or {@code jdk}. */
    public static final String PROPERTY = "fedgate.tls.provider";

    private final SslProvider sslProvider;

    TlsProvider(SslProvider sslProvider) {
        this.sslProvider = sslProvider;
    }

    /** The provider named by {@value #PROPERTY}, else the {@link #preferred()} one. */
    public static TlsProvider select() {
        return select(System.getProperty(PROPERTY));
    }

    /**
     * The provider named by {@code override} ({@code openssl}, {@code boringssl} or {@code jdk}, any case), or the
     * {@link #preferred()} one when {@code override} is {@code null} or blank.
     *
     * @throws IllegalArgumentException if the name is unknown
     * @throws IllegalStateException    if OpenSSL is asked for but cannot load, with the reason it cannot
     */
    public static TlsProvider select(String override) {
        if (override == null || override.isBlank()) {
            return preferred();
        }
        TlsProvider provider = forName(override);
        if (!provider.isAvailable()) {
            throw new IllegalStateException("TLS provider " + override.trim() + " is not available on this platform: "
                    + OpenSsl.unavailabilityCause(), OpenSsl.unavailabilityCause());
        }
        return provider;
    }

    /** OpenSSL if it loads here, the JDK otherwise. */
    public static TlsProvider preferred() {
        return OPENSSL.isAvailable() ? OPENSSL : JDK;
    }

    /** The providers that work on this platform, preferred first; for tests parameterized over providers. */
    public static List<TlsProvider> available() {
        List<TlsProvider> available = new ArrayList<>();
        for (TlsProvider provider : values()) {
            if (provider.isAvailable()) {
                available.add(provider);
            }
        }
        return List.copyOf(available);
    }

    /** Parses {@code openssl}, {@code boringssl} or {@code jdk}, in any case. */
    public static TlsProvider forName(String name) {
        requireNonNull(name, "name");
        switch (name.trim().toLowerCase(Locale.ROOT)) {
            case "openssl":
            case "boringssl":
                return OPENSSL;
            case "jdk":
                return JDK;
            default:
                throw new IllegalArgumentException(PROPERTY + ": " + name + " (expected: openssl or jdk)");
        }
    }

    /** Whether this provider works on this platform (for OpenSSL: the native library loaded). */
    public boolean isAvailable() {
        return this == JDK || OpenSsl.isAvailable();
    }

    /** The Netty provider to build contexts with. */
    public SslProvider sslProvider() {
        return sslProvider;
    }

    /** One line for the start-up log, e.g. {@code OpenSSL (BoringSSL, netty-tcnative 2.0.84.Final)}. */
    public String description() {
        if (this == OPENSSL) {
            if (!OpenSsl.isAvailable()) {
                return "OpenSSL (unavailable: " + OpenSsl.unavailabilityCause() + ")";
            }
            return "OpenSSL (" + OpenSsl.versionString() + ", netty-tcnative " + BuildInfo.tcnativeVersion() + ")";
        }
        String jsse;
        try {
            jsse = SSLContext.getDefault().getProvider().getName();
        } catch (NoSuchAlgorithmException e) {
            jsse = "no default SSLContext";
        }
        return "JDK (" + jsse + ", Java " + Runtime.version() + ")";
    }
}
