package io.fedgate.core.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import io.fedgate.core.testing.RawClient.Closure;
import io.fedgate.core.tls.SslContexts;
import io.fedgate.core.tls.TlsProvider;
import io.netty.handler.ssl.SslContext;
import io.fedgate.core.probe.ConnectionReport;
import io.fedgate.core.probe.DigestingBackend;
import io.fedgate.core.probe.Ending;
import io.fedgate.core.probe.PseudoRandomBytes;
import io.fedgate.core.probe.TlsBackend;

/** {@link RawClient} against plain and TLS test servers, with {@link ClientHelloBuilder}'s hellos. */
class RawClientTest {
    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final String HOST = "ratings.bookinfo.svc.green-mesh-exports.local";

    private static FederationPki pki;

    @BeforeAll
    static void mint() {
        pki = FederationPki.create();
    }

    static List<TlsProvider> providers() {
        return TlsProvider.available();
    }

    private static SslContext server(TlsProvider provider) {
        return SslContexts.forServer(pki.red().ingressIdentity(pki.green()), pki.bundles(),
                pki.green().egressAuthorizer(pki.red()), provider);
    }

    @Test
    void readsUntilTheServerEndsItsOutput() {
        try (DigestingBackend echo = DigestingBackend.echo()) {
            RawClient.Result result = RawClient.to(echo.address()).send("hello").thenHalfClose().await(WAIT);

            assertThat(result.closure()).as("%s", result).isEqualTo(Closure.EOF);
            assertThat(result.receivedText()).isEqualTo("hello");
            assertThat(result.bytesWritten()).isEqualTo(5);
            assertThat(result.closedAfter()).isLessThan(WAIT);
        }
    }

    @Test
    void reportsAConnectionStillOpenAfterTheWait() {
        try (DigestingBackend echo = DigestingBackend.echo()) {
            RawClient.Result result = RawClient.to(echo.address()).send("ping").await(Duration.ofMillis(200));

            assertThat(result.closure()).isEqualTo(Closure.STILL_OPEN);
            assertThat(result.receivedText()).isEqualTo("ping");
            assertThat(result.closedAfter()).isGreaterThanOrEqualTo(Duration.ofMillis(200));
        }
    }

    @Test
    void reportsResetsAndRefusals() {
        try (DigestingBackend reset = DigestingBackend.builder().resetOnAccept().start()) {
            RawClient.Result result = RawClient.to(reset.address()).send("x").await(WAIT);
            assertThat(result.closure()).as("%s", result).isEqualTo(Closure.RESET);

            reset.stopAccepting();
            RawClient.Result refused = RawClient.to(reset.address()).await(WAIT);
            assertThat(refused.closure()).as("%s", refused).isEqualTo(Closure.REFUSED);
            assertThat(refused.failure()).isNotNull();
        }
    }

    @Test
    void keepsOnlyTheReadLimitButCountsEverything() {
        try (DigestingBackend source = DigestingBackend.sinkAndSource(100_000, 3)) {
            RawClient.Result result = RawClient.to(source.address()).thenHalfClose().readLimit(10).await(WAIT);

            assertThat(result.closure()).isEqualTo(Closure.EOF);
            assertThat(result.received()).hasSize(10).isEqualTo(new PseudoRandomBytes(3).next(10));
            assertThat(result.receivedCount()).isEqualTo(100_000);
        }
    }

    @ParameterizedTest
    @MethodSource("providers")
    void aBuiltClientHelloGetsAServerHelloAndItsSniIsRead(TlsProvider provider) {
        try (TlsBackend tls = DigestingBackend.builder().echo().startTls(server(provider))) {
            byte[] hello = ClientHelloBuilder.withSni(HOST).build();
            RawClient.Result result = RawClient.to(tls.address()).send(hello).await(Duration.ofMillis(300));

            assertThat(result.startsWithHandshakeRecord()).as("%s", result).isTrue();
            assertThat(tls.awaitConnection().sni()).contains(HOST);
        }
    }

    @ParameterizedTest
    @MethodSource("providers")
    void aPaddedHelloOverSeveralRecordsIsStillAValidHello(TlsProvider provider) {
        try (TlsBackend tls = DigestingBackend.builder().echo().startTls(server(provider))) {
            byte[] hello = ClientHelloBuilder.withSni(HOST).handshakeLength(20_000).build();
            assertThat(hello).hasSize(20_000 + 4 + 2 * 5);

            RawClient.Result result = RawClient.to(tls.address()).send(hello).await(Duration.ofMillis(300));

            assertThat(result.startsWithHandshakeRecord()).as("%s", result).isTrue();
            assertThat(tls.awaitConnection().sni()).contains(HOST);
        }
    }

    @Test
    void aTruncatedHelloIsClosedAtTheServersHandshakeTimeout() {
        try (TlsBackend tls = DigestingBackend.builder().echo().handshakeTimeout(Duration.ofMillis(300))
                .startTls(server(TlsProvider.select()))) {
            byte[] cut = ClientHelloBuilder.truncate(ClientHelloBuilder.withSni(HOST).build(), 50);
            RawClient.Result result = RawClient.to(tls.address()).send(cut).await(WAIT);

            assertThat(result.closure()).as("%s", result).isIn(Closure.EOF, Closure.RESET);
            assertThat(result.closedAfter()).isBetween(Duration.ofMillis(200), Duration.ofSeconds(3));
            ConnectionReport seen = tls.awaitConnection();
            assertThat(seen.ending()).isEqualTo(Ending.HANDSHAKE_FAILED);
            assertThat(seen.sni()).isEmpty();
        }
    }

    @Test
    void plaintextToATlsServerIsRefusedAtOnce() {
        try (TlsBackend tls = DigestingBackend.builder().echo().startTls(server(TlsProvider.select()))) {
            RawClient.Result result = RawClient.to(tls.address()).send("GET / HTTP/1.1\r\nHost: x\r\n\r\n").await(WAIT);

            assertThat(result.closure()).as("%s", result).isIn(Closure.EOF, Closure.RESET);
            assertThat(result.closedAfter()).isLessThan(Duration.ofSeconds(1));
            assertThat(tls.awaitConnection().ending()).isEqualTo(Ending.HANDSHAKE_FAILED);
        }
    }

    @Test
    void sendingNothingWaitsForTheServer() {
        try (TlsBackend tls = DigestingBackend.builder().echo().handshakeTimeout(Duration.ofMillis(200))
                .startTls(server(TlsProvider.select()))) {
            RawClient.Result result = RawClient.to(tls.address()).await(WAIT);

            assertThat(result.closure()).as("%s", result).isIn(Closure.EOF, Closure.RESET);
            assertThat(result.closedAfter()).isGreaterThanOrEqualTo(Duration.ofMillis(150));
        }
    }

    @Test
    void clientHelloSizesAreTheHandshakeLengthField() {
        ClientHelloBuilder builder = ClientHelloBuilder.withSni(HOST);
        int unpadded = builder.unpaddedHandshakeLength();
        byte[] plain = builder.build();
        assertThat(plain).hasSize(5 + 4 + unpadded);
        assertThat(plain[0]).isEqualTo((byte) 0x16);
        assertThat(((plain[6] & 0xFF) << 16) | ((plain[7] & 0xFF) << 8) | (plain[8] & 0xFF)).isEqualTo(unpadded);
        assertThat(ClientHelloBuilder.withoutSni().unpaddedHandshakeLength()).isLessThan(unpadded);
        assertThat(ClientHelloBuilder.withSni(HOST).build()).as("deterministic").isEqualTo(plain);
        assertThat(ClientHelloBuilder.withSni(HOST).seed(2).build()).isNotEqualTo(plain);

        assertThat(ClientHelloBuilder.withSni(HOST).handshakeLength(unpadded + 4).build()).hasSize(plain.length + 4);
        assertThat(ClientHelloBuilder.withSni(HOST).maxRecordLength(100).build())
                .hasSize(4 + unpadded + 5 * ((4 + unpadded + 99) / 100));
        assertThatThrownBy(() -> ClientHelloBuilder.withSni(HOST).handshakeLength(unpadded + 2).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(">= " + (unpadded + 4));
        assertThatThrownBy(() -> ClientHelloBuilder.withSni(HOST).handshakeLength(70_000).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("64 KiB");
        assertThat(ClientHelloBuilder.truncate(plain, 10)).hasSize(10).isEqualTo(java.util.Arrays.copyOf(plain, 10));
    }
}
