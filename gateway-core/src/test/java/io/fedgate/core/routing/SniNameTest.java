package io.fedgate.core.routing;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SniNameTest {

    @ParameterizedTest(name = "{0} -> {1} port {2}")
    @CsvSource({
            "ratings.bookinfo.svc.green-mesh-exports.local, ratings.bookinfo.svc.green-mesh-exports.local, 0",
            "Ratings.Bookinfo.SVC.green-mesh-exports.local., ratings.bookinfo.svc.green-mesh-exports.local, 0",
            "outbound_.9080_._.ratings.bookinfo.svc.green-mesh-exports.local, ratings.bookinfo.svc.green-mesh-exports.local, 9080",
            "outbound_.9443_.v1_.details.bookinfo.svc.green-mesh-exports.local, details.bookinfo.svc.green-mesh-exports.local, 9443",
            "outbound_.0_._.x.local, outbound_.0_._.x.local, 0",
            "outbound_.99999_._.x.local, outbound_.99999_._.x.local, 0",
            "outbound_.80a_._.x.local, outbound_.80a_._.x.local, 0",
            "outbound_.80_._., outbound_.80_._, 0",
            "outbound_.80, outbound_.80, 0",
    })
    void parsesPlainAndIstioForms(String serverName, String host, int port) {
        SniName name = SniName.parse(serverName);
        assertThat(name.host()).isEqualTo(host);
        assertThat(name.port()).isEqualTo(port);
        assertThat(name.hasPort()).isEqualTo(port != 0);
    }

    @ParameterizedTest
    @CsvSource({"9080, ratings.bookinfo.svc.green-mesh-exports.local"})
    void outboundFormRoundTrips(int port, String host) {
        String outbound = SniName.outbound(port, host);
        assertThat(outbound).isEqualTo("outbound_." + port + "_._." + host);
        assertThat(SniName.parse(outbound)).isEqualTo(new SniName(host, port));
    }
}
