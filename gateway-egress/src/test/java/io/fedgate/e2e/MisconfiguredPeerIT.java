package io.fedgate.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import io.fedgate.core.demo.LinkTraffic;
import io.fedgate.core.demo.LinkTraffic.Result;
import io.fedgate.core.demo.LoopbackFederation;
import io.fedgate.core.demo.LoopbackFederation.Breakage;
import io.fedgate.core.demo.LoopbackFederation.Link;
import io.fedgate.core.demo.LoopbackFederation.Site;
import io.fedgate.core.probe.TrafficClient;
import io.fedgate.core.status.PeerStatusView;

/**
 * Red's {@code ServiceMeshPeer} for green is wrong in one field: each link it breaks fails, every other link works,
 * and the status of the two ends together names the cause: which identity was presented and which was expected, or
 * which trust domain or root did not match.
 */
class MisconfiguredPeerIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final Duration DIAGNOSED = Duration.ofSeconds(30);

    @ParameterizedTest
    @EnumSource(value = Breakage.class, names = {"CLIENT_ID", "TRUST_DOMAIN", "CERTIFICATE_CHAIN"})
    void eachBrokenLinkFailsWithADiagnosisNamingTheCause(Breakage breakage) throws Exception {
        try (LoopbackFederation federation = Federations.create("misconfigured-" + breakage.label(),
                List.of("red", "green", "blue"), breakage, List.of("-Xmx256m"));
             TrafficClient client = TrafficClient.create()) {
            Federations.start(federation); // waits for every peer but the broken ones
            Site red = federation.site("red");
            Site green = federation.site("green");
            List<Link> broken = federation.brokenLinks();
            assertThat(broken).contains(new Link(green, red));

            LinkTraffic traffic = new LinkTraffic(federation, client);
            for (Link link : federation.links()) {
                Result result = traffic.measure(link, 64 << 10, broken.contains(link) ? 0 : 2, TIMEOUT);
                assertThat(result.ok()).as("%s (broken on purpose: %s): %s", link, broken.contains(link),
                        result.failure()).isEqualTo(!broken.contains(link));
            }

            for (Link link : broken) {
                String expected = expectedCause(breakage, link, red, green);
                boolean diagnosed = Federations.poll(() -> diagnosis(federation, link).contains(expected), DIAGNOSED);
                String diagnosis = diagnosis(federation, link);
                System.out.println("MisconfiguredPeerIT: " + breakage.label() + ": " + link + ": " + diagnosis);
                assertThat(diagnosed).as("diagnosis of %s names %s:%n%s", link, expected, diagnosis).isTrue();
                assertThat(Federations.callerStatus(federation, link).map(PeerStatusView::connected))
                        .as("%s's caller sees the peer inactive", link).contains(false);
            }
        }
    }

    /**
     * What the diagnosis must contain. green -> red: red's ingress refused green's egress, which presented its SVID;
     * red -> green: red's egress refused green's ingress. With a wrong clientID, the expected identity is named.
     */
    private static String expectedCause(Breakage breakage, Link link, Site red, Site green) {
        boolean intoRed = link.to() == red;
        String presented = "presented " + (intoRed ? green.mesh().egressId(red.mesh()) : green.mesh().ingressId(red.mesh()));
        return switch (breakage) {
            case CLIENT_ID -> "spiffe-id-mismatch: " + presented + ", expected " + green.mesh().egressId(green.mesh());
            case TRUST_DOMAIN -> "untrusted-trust-domain: " + presented;
            case CERTIFICATE_CHAIN -> "untrusted-chain: " + presented;
            case NONE -> throw new IllegalArgumentException("nothing is broken");
        };
    }

    /** Both ends' causes, as the demo prints them. */
    private static String diagnosis(LoopbackFederation federation, Link link) {
        List<String> causes = new ArrayList<>();
        Federations.callerStatus(federation, link).flatMap(PeerStatusView::cause).ifPresent(causes::add);
        Federations.calleeStatus(federation, link).flatMap(PeerStatusView::cause).ifPresent(causes::add);
        return String.join(" | ", causes);
    }

}
