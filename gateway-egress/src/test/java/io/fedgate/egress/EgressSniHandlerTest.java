package io.fedgate.egress;

import static io.fedgate.egress.EgressSniListener.HARNESS;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

import io.fedgate.core.testing.ClientHelloCorpus;
import io.fedgate.core.testing.SniFuzzHarness;

/** {@link EgressSniHandler} over the named ClientHello corpus; expected outcomes in {@link SniFuzzHarness}. */
class EgressSniHandlerTest {
    @ParameterizedTest(name = "{0}")
    @FieldSource("io.fedgate.core.testing.ClientHelloCorpus#NAMES")
    void eachCorpusEntryIsRoutedToItsPeerOrRefusedWithItsReason(String name) {
        HARNESS.assertCorpusEntry(name, EgressSniListener::handler, EgressSniListener.PEER);
    }

    @Test
    void theImportHostIsRecordedAsTheServerName() {
        assertThat(HARNESS.assertCorpusEntry("valid_sni", EgressSniListener::handler, EgressSniListener.PEER)
                .serverName()).isEqualTo(ClientHelloCorpus.HOST);
    }

    @Test
    void aWorkloadSpeakingPlaintextIsRefusedAsNotTlsNamingItsFirstByte() {
        assertThat(HARNESS.assertCorpusEntry("not_tls", EgressSniListener::handler, EgressSniListener.PEER)
                .detail()).isEqualTo("the first byte is 0x47, not a TLS handshake record (0x16)");
    }

    @Test
    void aWorkloadThatStopsMidHelloIsRefusedWhenTheHandshakeTimeoutEnds() {
        HARNESS.assertHandshakeTimeout(EgressSniListener::handler, EgressSniListener.HANDSHAKE_TIMEOUT_MILLIS, 20);
    }
}
