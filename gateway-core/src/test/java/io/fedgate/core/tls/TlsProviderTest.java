package io.fedgate.core.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslProvider;

class TlsProviderTest {

    @Test
    void boringSslLoadsWhereItsNativeLibraryIsADependency() {
        // gateway-core ships tcnative for linux-x86_64 only; there, a silent fall-back to the JDK would hide a bug.
        boolean linuxX8664 = System.getProperty("os.name").toLowerCase(java.util.Locale.ROOT).contains("linux")
                && System.getProperty("os.arch").matches("amd64|x86_64");
        if (linuxX8664) {
            assertThat(OpenSsl.isAvailable()).as("OpenSSL unavailable: %s", OpenSsl.unavailabilityCause()).isTrue();
            assertThat(TlsProvider.available()).containsExactly(TlsProvider.OPENSSL, TlsProvider.JDK);
        }
    }

    @Test
    void prefersOpenSslWhenItLoads() {
        assertThat(TlsProvider.preferred()).isEqualTo(OpenSsl.isAvailable() ? TlsProvider.OPENSSL : TlsProvider.JDK);
        assertThat(TlsProvider.select(null)).isEqualTo(TlsProvider.preferred());
        assertThat(TlsProvider.select(" ")).isEqualTo(TlsProvider.preferred());
        assertThat(TlsProvider.available()).startsWith(TlsProvider.preferred()).contains(TlsProvider.JDK);
    }

    @Test
    void overrideNamesAProvider() {
        assertThat(TlsProvider.select("jdk")).isEqualTo(TlsProvider.JDK);
        assertThat(TlsProvider.forName(" BoringSSL ")).isEqualTo(TlsProvider.OPENSSL);
        assertThat(TlsProvider.forName("OpenSSL")).isEqualTo(TlsProvider.OPENSSL);
        if (OpenSsl.isAvailable()) {
            assertThat(TlsProvider.select("openssl")).isEqualTo(TlsProvider.OPENSSL);
        } else {
            assertThatThrownBy(() -> TlsProvider.select("openssl")).isInstanceOf(IllegalStateException.class);
        }
        assertThatThrownBy(() -> TlsProvider.forName("conscrypt"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("fedgate.tls.provider: conscrypt (expected: openssl or jdk)");
    }

    @Test
    void describesItselfInOneLine() {
        assertThat(TlsProvider.JDK.description()).startsWith("JDK (SunJSSE, Java ");
        assertThat(TlsProvider.JDK.sslProvider()).isEqualTo(SslProvider.JDK);
        assertThat(TlsProvider.OPENSSL.sslProvider()).isEqualTo(SslProvider.OPENSSL);
        if (OpenSsl.isAvailable()) {
            assertThat(TlsProvider.OPENSSL.description()).matches("OpenSSL \\(BoringSSL, netty-tcnative 2\\.0\\.\\d+\\.Final\\)");
        }
        assertThat(TlsProvider.OPENSSL.description()).doesNotContain("\n");
    }
}
