package io.fedgate.core.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.fedgate.core.config.EndpointSlice.AddressType;
import io.fedgate.core.config.EndpointSlice.Endpoint;
import io.fedgate.core.config.EndpointSlice.Port;

/** {@link FederationConfig#endpoints(Service, int)}: EndpointSlices, named target ports, DNS fallback. */
class EndpointResolutionTest {
    private static final Service RATINGS = new Service("bookinfo", "ratings", Map.of(), Map.of(), List.of(
            new ServicePort("http", 9080, "TCP", TargetPort.named("http-web")),
            new ServicePort("grpc", 9090, "TCP", TargetPort.of(19090)),
            new ServicePort("metrics", 9100, "UDP", TargetPort.of(9100))));

    private static FederationConfig config(String clusterDomain, EndpointSlice... slices) {
        FederationConfig.Builder builder = FederationConfig.builder("red-mesh-system").clusterDomain(clusterDomain)
                .addService(RATINGS);
        for (EndpointSlice slice : slices) {
            builder.addEndpointSlice(slice);
        }
        return builder.build();
    }

    private static EndpointSlice slice(String name, AddressType type, List<Endpoint> endpoints, Port... ports) {
        return new EndpointSlice("bookinfo", name, "ratings", type, endpoints, List.of(ports));
    }

    @Test
    void withoutSlicesTheServiceResolvesByDns() {
        assertThat(config("cluster.local").endpoints(RATINGS, 9080))
                .containsExactly(new HostPort("ratings.bookinfo.svc.cluster.local", 9080));
        assertThat(config("mesh.example").endpoints(RATINGS, 9090))
                .extracting(HostPort::toString).containsExactly("ratings.bookinfo.svc.mesh.example:9090");
    }

    @Test
    void slicesGiveReadyEndpointsOnTheResolvedPort() {
        EndpointSlice slice = slice("ratings-a", AddressType.IPV4,
                List.of(new Endpoint(List.of("10.0.0.1"), true), new Endpoint(List.of("10.0.0.2"), false),
                        new Endpoint(List.of("10.0.0.3"), true)),
                new Port("http", 8080, "TCP"), new Port("grpc", 19090, "TCP"));

        FederationConfig config = config("cluster.local", slice);

        assertThat(config.endpoints(RATINGS, 9080)).extracting(HostPort::toString)
                .containsExactly("10.0.0.1:8080", "10.0.0.3:8080");
        assertThat(config.endpoints(RATINGS, 9090)).extracting(HostPort::toString)
                .containsExactly("10.0.0.1:19090", "10.0.0.3:19090");
    }

    @Test
    void namedTargetPortResolvesByTheSlicePortOfThatName() {
        EndpointSlice slice = slice("ratings-a", AddressType.IPV4, List.of(new Endpoint(List.of("10.0.0.1"), true)),
                new Port("http-web", 8081, "TCP"));

        assertThat(config("cluster.local", slice).endpoints(RATINGS, 9080))
                .containsExactly(new HostPort("10.0.0.1", 8081));
    }

    @Test
    void endpointsOfSeveralSlicesAreMergedAndIpv6IsBracketed() {
        EndpointSlice v4 = slice("ratings-a", AddressType.IPV4, List.of(new Endpoint(List.of("10.0.0.1"), true)),
                new Port("http", 8080, "TCP"));
        EndpointSlice v6 = slice("ratings-b", AddressType.IPV6, List.of(new Endpoint(List.of("fd00::1"), true)),
                new Port("http", 8080, "TCP"));

        assertThat(config("cluster.local", v4, v6).endpoints(RATINGS, 9080)).extracting(HostPort::toString)
                .containsExactly("10.0.0.1:8080", "[fd00::1]:8080");
    }

    @Test
    void slicesWithoutTheServicePortOrReadyEndpointsGiveNothingAndNoDnsFallback() {
        EndpointSlice notReady = slice("ratings-a", AddressType.IPV4, List.of(new Endpoint(List.of("10.0.0.1"), false)),
                new Port("http", 8080, "TCP"));
        EndpointSlice otherPort = slice("ratings-b", AddressType.FQDN,
                List.of(new Endpoint(List.of("ratings-1.example.com"), true)), new Port("admin", 8443, "TCP"));

        FederationConfig config = config("cluster.local", notReady, otherPort);

        assertThat(config.endpoints(RATINGS, 9080)).isEmpty();
        assertThat(config.endpointSlices(RATINGS)).containsExactly(notReady, otherPort);
    }

    @Test
    void unknownOrNonTcpPortGivesNothing() {
        assertThat(config("cluster.local").endpoints(RATINGS, 1234)).isEmpty();
        assertThat(config("cluster.local").endpoints(RATINGS, 9100)).isEmpty();
    }

    @Test
    void loadedConfigResolvesNamedTargetPortThroughItsSlice() {
        String yaml = "apiVersion: v1\nkind: Service\nmetadata:\n  name: ratings\n  namespace: bookinfo\nspec:\n"
                + "  ports:\n  - name: http\n    port: 9080\n    targetPort: http-web\n---\n"
                + "apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata:\n  name: ratings-x1\n"
                + "  namespace: bookinfo\n  labels:\n    kubernetes.io/service-name: ratings\naddressType: IPv4\n"
                + "endpoints:\n- addresses: [127.0.0.1]\n- addresses: [127.0.0.2]\n  conditions:\n    ready: false\n"
                + "ports:\n- name: http\n  port: 18080\n";

        FederationConfig config = ConfigFixtures.load(
                ConfigFixtures.with(ConfigFixtures.validGreen(), "services.yaml", yaml));

        Service ratings = config.service("bookinfo", "ratings").orElseThrow();
        assertThat(config.endpoints(ratings, 9080)).containsExactly(new HostPort("127.0.0.1", 18080));
    }
}
