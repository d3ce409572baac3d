package io.fedgate.egress;

import static io.fedgate.egress.EgressSniListener.HARNESS;

import org.junit.jupiter.api.Test;

import com.code_intelligence.jazzer.junit.FuzzTest;

import io.fedgate.core.testing.SniFuzzHarness;

/**
 * The egress's service listener takes local workloads' connections: whatever bytes they send first go through
 * {@link EgressSniHandler}, which must choose an imported route (and hand the ClientHello to the egress's TLS) or
 * refuse with a reason, within the ClientHello bound, leaking nothing (see {@link SniFuzzHarness}). The listener is
 * {@link EgressSniListener}'s, whose import hosts are the names of gateway-core's ClientHello corpus, which the pom
 * copies here as the seeds.
 */
class EgressSniHandlerFuzzTest {
    @FuzzTest(maxDuration = "10s")
    void anyBytesGiveARouteOrARefusal(byte[] input) {
        HARNESS.run(input, EgressSniListener::handler);
    }

    /** The seeds reach routes (and BoringSSL behind them) and each early refusal. */
    @Test
    void theSeedsEndAsTheirNamesSay() {
        HARNESS.assertCorpusOutcomes(EgressSniListener::handler);
    }
}
