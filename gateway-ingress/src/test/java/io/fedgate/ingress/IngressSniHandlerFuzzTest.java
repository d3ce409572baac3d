package io.fedgate.ingress;

import static io.fedgate.ingress.IngressSniListener.HARNESS;

import org.junit.jupiter.api.Test;

import com.code_intelligence.jazzer.junit.FuzzTest;

import io.fedgate.core.testing.SniFuzzHarness;

/**
 * The ingress's service listener is reachable by anyone: whatever bytes a downstream sends first go through
 * {@link IngressSniHandler}, which must choose a route (and hand the ClientHello to the peer's TLS) or refuse with
 * a reason, within the ClientHello bound, leaking nothing (see {@link SniFuzzHarness}). The listener is
 * {@link IngressSniListener}'s; the seeds, gateway-core's ClientHello corpus (copied here by the pom), reach routes
 * (and BoringSSL behind them), {@code unknown-sni}, {@code no-sni}, {@code not-tls} and
 * {@code client-hello-too-large}.
 */
class IngressSniHandlerFuzzTest {
    @FuzzTest(maxDuration = "10s")
    void anyBytesGiveARouteOrARefusal(byte[] input) {
        HARNESS.run(input, IngressSniListener::handler);
    }

    /** The seeds reach routes (and BoringSSL behind them) and each early refusal. */
    @Test
    void theSeedsEndAsTheirNamesSay() {
        HARNESS.assertCorpusOutcomes(IngressSniListener::handler);
    }
}
