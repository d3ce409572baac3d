package io.fedgate.ingress;

import static io.fedgate.ingress.IngressSniListener.HARNESS;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

import io.fedgate.core.listener.ConnectionRecord;
import io.fedgate.core.testing.ClientHelloCorpus;
import io.fedgate.core.testing.SniFuzzHarness;

/** {@link IngressSniHandler} over the named ClientHello corpus; expected outcomes in {@link SniFuzzHarness}. */
class IngressSniHandlerTest {
    @ParameterizedTest(name = "{0}")
    @FieldSource("io.fedgate.core.testing.ClientHelloCorpus#NAMES")
    void eachCorpusEntryIsRoutedToItsPeerOrRefusedWithItsReason(String name) {
        HARNESS.assertCorpusEntry(name, IngressSniListener::handler, IngressSniListener.PEER);
    }

    @Test
    void theOutboundFormIsRecordedAsTheServerNameItRoutes() {
        ConnectionRecord record = HARNESS.assertCorpusEntry("outbound_form", IngressSniListener::handler,
                IngressSniListener.PEER);
        assertThat(record.serverName()).isEqualTo("outbound_." + ClientHelloCorpus.OUTBOUND_PORT + "_._."
                + ClientHelloCorpus.HOST);
    }

    @Test
    void plaintextIsRefusedNamingItsFirstByte() {
        ConnectionRecord record = HARNESS.assertCorpusEntry("not_tls", IngressSniListener::handler,
                IngressSniListener.PEER);
        assertThat(record.detail()).isEqualTo("the first byte is 0x47, not a TLS handshake record (0x16)");
    }

    @Test
    void aDownstreamThatStopsMidHelloIsRefusedWhenTheHandshakeTimeoutEnds() {
        HARNESS.assertHandshakeTimeout(IngressSniListener::handler, IngressSniListener.HANDSHAKE_TIMEOUT_MILLIS, 20);
    }
}
