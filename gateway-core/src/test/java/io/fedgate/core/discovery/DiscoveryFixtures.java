package io.fedgate.core.discovery;

import java.util.List;

/** The services of the protocol page's verified checksum vectors (federation-protocol.md section 4). */
final class DiscoveryFixtures {
    static final String INGRESS_ACCOUNT = "spiffe://mesh1.local/ns/mesh1-system/sa/mesh2-ingress-service-account";
    static final String OTHER_ACCOUNT = "spiffe://mesh1.local/ns/mesh1-system/sa/other";

    static final ServiceMessage RATINGS = new ServiceMessage("ratings", "bookinfo",
            "ratings.bookinfo.svc.mesh2-exports.local", List.of(new ServicePortMessage("http", 9080, "HTTP")),
            List.of(INGRESS_ACCOUNT));
    static final ServiceMessage DETAILS = new ServiceMessage("details", "bookinfo",
            "details.bookinfo.svc.mesh2-exports.local",
            List.of(new ServicePortMessage("http", 9080, "HTTP"), new ServicePortMessage("tcp-extra", 9443, "TCP")),
            List.of(INGRESS_ACCOUNT, OTHER_ACCOUNT));

    static final long EMPTY_CHECKSUM = Long.parseUnsignedLong("3035108133973235477");
    static final long RATINGS_CHECKSUM = Long.parseUnsignedLong("11766432003838626797");
    static final long BOTH_CHECKSUM = Long.parseUnsignedLong("14564975621233500190");

    private DiscoveryFixtures() {
    }
}
