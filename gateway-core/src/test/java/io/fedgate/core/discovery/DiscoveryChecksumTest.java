package io.fedgate.core.discovery;

import static io.fedgate.core.discovery.DiscoveryFixtures.BOTH_CHECKSUM;
import static io.fedgate.core.discovery.DiscoveryFixtures.DETAILS;
import static io.fedgate.core.discovery.DiscoveryFixtures.EMPTY_CHECKSUM;
import static io.fedgate.core.discovery.DiscoveryFixtures.INGRESS_ACCOUNT;
import static io.fedgate.core.discovery.DiscoveryFixtures.OTHER_ACCOUNT;
import static io.fedgate.core.discovery.DiscoveryFixtures.RATINGS;
import static io.fedgate.core.discovery.DiscoveryFixtures.RATINGS_CHECKSUM;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.fedgate.core.config.ConfigFixtures;
import io.fedgate.core.config.PeerConfig;

/** The checksum against the vectors the reference library produced (federation-protocol.md section 4). */
class DiscoveryChecksumTest {

    @Test
    void emptyListMatchesTheReference() {
        assertThat(DiscoveryChecksum.serviceList(List.of())).isEqualTo(EMPTY_CHECKSUM);
        assertThat(ServiceListMessage.EMPTY.checksum()).isEqualTo(EMPTY_CHECKSUM);
        assertThat(DiscoveryChecksum.format(EMPTY_CHECKSUM)).isEqualTo("3035108133973235477");
    }

    @Test
    void oneServiceMatchesTheReference() {
        assertThat(DiscoveryChecksum.serviceList(List.of(RATINGS))).isEqualTo(RATINGS_CHECKSUM);
        assertThat(DiscoveryChecksum.format(RATINGS_CHECKSUM)).isEqualTo("11766432003838626797");
    }

    @Test
    void twoServicesMatchTheReferenceInAnyOrder() {
        ServiceMessage detailsReordered = new ServiceMessage("details", "bookinfo",
                "details.bookinfo.svc.mesh2-exports.local",
                List.of(new ServicePortMessage("tcp-extra", 9443, "TCP"), new ServicePortMessage("http", 9080, "HTTP")),
                List.of(OTHER_ACCOUNT, INGRESS_ACCOUNT));

        assertThat(DiscoveryChecksum.serviceList(List.of(RATINGS, DETAILS))).isEqualTo(BOTH_CHECKSUM);
        assertThat(DiscoveryChecksum.serviceList(List.of(DETAILS, RATINGS))).isEqualTo(BOTH_CHECKSUM);
        assertThat(DiscoveryChecksum.serviceList(List.of(detailsReordered, RATINGS))).isEqualTo(BOTH_CHECKSUM);
        assertThat(DiscoveryChecksum.format(BOTH_CHECKSUM)).isEqualTo("14564975621233500190");
    }

    @Test
    void everyFieldChangesTheChecksum() {
        long base = DiscoveryChecksum.service(RATINGS);
        List<ServiceMessage> variants = List.of(
                new ServiceMessage("ratingz", "bookinfo", RATINGS.hostname(), RATINGS.servicePorts(),
                        RATINGS.serviceAccounts()),
                new ServiceMessage("ratings", "bookinfoz", RATINGS.hostname(), RATINGS.servicePorts(),
                        RATINGS.serviceAccounts()),
                new ServiceMessage("ratings", "bookinfo", "x", RATINGS.servicePorts(), RATINGS.serviceAccounts()),
                new ServiceMessage("ratings", "bookinfo", RATINGS.hostname(),
                        List.of(new ServicePortMessage("http", 9081, "HTTP")), RATINGS.serviceAccounts()),
                new ServiceMessage("ratings", "bookinfo", RATINGS.hostname(),
                        List.of(new ServicePortMessage("http", 9080, "TCP")), RATINGS.serviceAccounts()),
                new ServiceMessage("ratings", "bookinfo", RATINGS.hostname(), RATINGS.servicePorts(), List.of()));

        assertThat(variants).extracting(DiscoveryChecksum::service).doesNotContain(base).doesNotHaveDuplicates();
    }

    @Test
    void listChecksumFollowsFromTheXorOfServiceHashes() {
        long xor = DiscoveryChecksum.service(RATINGS) ^ DiscoveryChecksum.service(DETAILS);

        assertThat(DiscoveryChecksum.serviceListOfServiceHashes(xor)).isEqualTo(BOTH_CHECKSUM);
        assertThat(DiscoveryChecksum.serviceListOfServiceHashes(0)).isEqualTo(EMPTY_CHECKSUM);
    }

    @Test
    void listCarriesItsChecksumAndKnowsWhetherItMatches() {
        ServiceListMessage list = ServiceListMessage.of(List.of(RATINGS, DETAILS));

        assertThat(list.checksum()).isEqualTo(BOTH_CHECKSUM);
        assertThat(list.services()).containsExactly(DETAILS, RATINGS);
        assertThat(list.checksumMatches()).isTrue();
        assertThat(new ServiceListMessage(42, list.services()).checksumMatches()).isFalse();
        assertThat(DiscoveryChecksum.of(new ServiceListMessage(42, list.services()))).isEqualTo(BOTH_CHECKSUM);
    }

    @Test
    void remoteChecksumIsASetOfAddressesAndTheWrittenPorts() {
        long written = DiscoveryChecksum.remote(List.of("a.example.com", "b.example.com"), 8188, 15443);

        assertThat(DiscoveryChecksum.remote(List.of("b.example.com", "a.example.com"), 8188, 15443))
                .isEqualTo(written);
        assertThat(DiscoveryChecksum.remote(List.of("a.example.com", "b.example.com"), 0, 15443))
                .isNotEqualTo(written);
        assertThat(DiscoveryChecksum.remote(List.of("a.example.com"), 8188, 15443)).isNotEqualTo(written);
    }

    @Test
    void remoteChecksumOfAPeerHashesDefaultedPortsAsZero() {
        PeerConfig defaulted = ConfigFixtures.load(ConfigFixtures.validGreen()).peer("green-mesh").orElseThrow();
        PeerConfig explicit = ConfigFixtures.load(ConfigFixtures.with(ConfigFixtures.validGreen(), "peers/green.yaml",
                ConfigFixtures.peer("green-mesh", ConfigFixtures.greenSpec().replace("  addresses:",
                        "  discoveryPort: 8188\n  servicePort: 15443\n  addresses:"))))
                .peer("green-mesh").orElseThrow();
        List<String> addresses = List.of("ingress-red-mesh.green-mesh-system.apps.domain.com");

        assertThat(DiscoveryChecksum.remote(defaulted)).isEqualTo(DiscoveryChecksum.remote(addresses, 0, 0));
        assertThat(DiscoveryChecksum.remote(explicit)).isEqualTo(DiscoveryChecksum.remote(addresses, 8188, 15443));
    }

    @Test
    void checksumTextIsUnsigned() {
        assertThat(DiscoveryChecksum.parse("18446744073709551615")).isEqualTo(-1L);
        assertThat(DiscoveryChecksum.format(-1L)).isEqualTo("18446744073709551615");
        assertThatThrownBy(() -> DiscoveryChecksum.parse("18446744073709551616"))
                .hasMessage("not an unsigned 64-bit checksum: '18446744073709551616'");
        assertThatThrownBy(() -> DiscoveryChecksum.parse("-1")).isInstanceOf(IllegalArgumentException.class);
    }
}
