package io.fedgate.egress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.fedgate.core.listener.DownstreamRefusal;
import io.fedgate.core.cli.GatewayCommand;
import io.fedgate.core.config.HostPort;
import io.fedgate.core.discovery.ServiceListMessage;
import io.fedgate.core.discovery.ServiceMessage;
import io.fedgate.core.discovery.ServicePortMessage;
import io.fedgate.core.gateway.GatewayContext;
import io.fedgate.core.gateway.GatewayRole;
import io.fedgate.core.listener.RouteRefusedException;
import io.fedgate.core.spiffe.SpiffeId;
import io.fedgate.core.testing.FederationFixture;
import io.fedgate.core.testing.FederationPki;

class EgressRouteTableTest {
    private static final String IMPORTS = """
            apiVersion: federation.maistra.io/v1
            kind: ImportedServiceSet
            metadata:
              name: green-mesh
              namespace: red-mesh-system
            spec:
              importRules:
              - type: NameSelector
                importAsLocal: false
                nameSelector:
                  namespace: bookinfo
                  name: ratings
                  alias:
                    namespace: shop
                    name: stars
              - type: NameSelector
                importAsLocal: false
                nameSelector:
                  namespace: bookinfo
                  name: reviews
            """;

    @TempDir
    Path dir;

    private FederationPki pki;
    private GatewayContext context;

    @BeforeEach
    void load() {
        FederationFixture federation = FederationFixture.create(dir);
        pki = federation.pki();
        FederationFixture.MeshConfig red = federation.redConfig().peerAddresses("10.0.0.1", "10.0.0.2")
                .peerServicePort(15443).file("importedserviceset-green-mesh.yaml", IMPORTS);
        red.write();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        GatewayCommand.Prepared prepared = GatewayCommand.prepare(GatewayRole.EGRESS, "test",
                federation.egress(pki.red(), pki.green()).args(red).toArray(String[]::new), System.out,
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(prepared.ready()).as("%s", err).isTrue();
        context = prepared.context();
    }

    private ServiceMessage service(String name, int... ports) {
        List<ServicePortMessage> servicePorts = java.util.Arrays.stream(ports)
                .mapToObj(port -> new ServicePortMessage("p" + port, port, "TCP")).toList();
        return new ServiceMessage(name, "bookinfo", name + ".bookinfo.svc.red-mesh-exports.local", servicePorts,
                List.of(pki.green().ingressId(pki.red()).toString()));
    }

    private EgressRouteTable table() {
        return EgressRouteTable.build(context, Map.of(pki.green().name(), ServiceListMessage.of(List.of(
                service("ratings", 9080), service("reviews", 9080, 9443), service("details", 9080)))));
    }

    @Test
    void mapsAnAliasedImportToTheExportedHost() throws RouteRefusedException {
        try (EgressRouteTable routes = table()) {
            EgressRoute route = routes.lookup("stars.shop.svc.green-mesh-imports.local");
            assertThat(route.exportedHost()).isEqualTo("ratings.bookinfo.svc.red-mesh-exports.local");
            assertThat(route.port()).isEqualTo(9080);
            assertThat(route.upstreamServerName()).isEqualTo("outbound_.9080_._.ratings.bookinfo.svc.red-mesh-exports.local");
            assertThat(route.serviceAccounts()).containsExactly(pki.green().ingressId(pki.red()));
            assertThat(route.endpoints()).containsExactly(new HostPort("10.0.0.1", 15443), new HostPort("10.0.0.2", 15443));
            assertThat(route.peer().name()).isEqualTo(pki.green().name());
            assertThat(routes.lookup("outbound_.9080_._.stars.shop.svc.green-mesh-imports.local")).isSameAs(route);
            assertThat(routes.lookup("STARS.shop.svc.green-mesh-imports.local.")).isSameAs(route);
        }
    }

    @Test
    void aServiceNoRuleImportsIsNotRoutable() {
        try (EgressRouteTable routes = table()) {
            assertThatThrownBy(() -> routes.lookup("details.bookinfo.svc.green-mesh-imports.local"))
                    .isInstanceOfSatisfying(RouteRefusedException.class,
                            e -> assertThat(e.reason()).isEqualTo(DownstreamRefusal.UNKNOWN_SNI.code()));
            // the original name of an aliased service is not routable either
            assertThatThrownBy(() -> routes.lookup("ratings.bookinfo.svc.green-mesh-imports.local"))
                    .isInstanceOf(RouteRefusedException.class);
        }
    }

    @Test
    void multiPortServicesNeedTheOutboundForm() throws RouteRefusedException {
        try (EgressRouteTable routes = table()) {
            assertThat(routes.lookup("outbound_.9443_._.reviews.bookinfo.svc.green-mesh-imports.local").port())
                    .isEqualTo(9443);
            assertThat(routes.lookup("outbound_.9080_._.reviews.bookinfo.svc.green-mesh-imports.local").port())
                    .isEqualTo(9080);
            assertThatThrownBy(() -> routes.lookup("reviews.bookinfo.svc.green-mesh-imports.local"))
                    .isInstanceOfSatisfying(RouteRefusedException.class,
                            e -> assertThat(e.reason()).isEqualTo(DownstreamRefusal.SNI_NEEDS_PORT.code()));
            assertThatThrownBy(() -> routes.lookup("outbound_.1234_._.reviews.bookinfo.svc.green-mesh-imports.local"))
                    .isInstanceOf(RouteRefusedException.class);
            assertThatThrownBy(() -> routes.lookup(""))
                    .isInstanceOfSatisfying(RouteRefusedException.class,
                            e -> assertThat(e.reason()).isEqualTo(DownstreamRefusal.NO_SNI.code()));
        }
    }

    @Test
    void servicePortsComeInAStableOrder() {
        try (EgressRouteTable routes = table()) {
            assertThat(routes.servicePorts()).extracting(EgressRoute::localServerName).containsExactly(
                    "outbound_.9080_._.reviews.bookinfo.svc.green-mesh-imports.local",
                    "outbound_.9443_._.reviews.bookinfo.svc.green-mesh-imports.local",
                    "outbound_.9080_._.stars.shop.svc.green-mesh-imports.local");
        }
    }

    @Test
    void noListNoImportsNoRoutes() {
        try (EgressRouteTable routes = EgressRouteTable.build(context, Map.of())) {
            assertThat(routes.size()).isZero();
        }
        try (EgressRouteTable routes = EgressRouteTable.build(context, Map.of("other-mesh",
                ServiceListMessage.of(List.of(service("ratings", 9080)))))) {
            assertThat(routes.size()).isZero();
        }
    }

    @Test
    void invalidServiceAccountsAreIgnored() throws RouteRefusedException {
        ServiceMessage odd = new ServiceMessage("ratings", "bookinfo", "ratings.bookinfo.svc.red-mesh-exports.local",
                List.of(new ServicePortMessage("http", 9080, "HTTP")),
                List.of("not a spiffe id", "green-mesh.local/ns/green-mesh-system/sa/ingress"));
        try (EgressRouteTable routes = EgressRouteTable.build(context,
                Map.of(pki.green().name(), ServiceListMessage.of(List.of(odd))))) {
            assertThat(routes.lookup("stars.shop.svc.green-mesh-imports.local").serviceAccounts())
                    .containsExactly(SpiffeId.parse("spiffe://green-mesh.local/ns/green-mesh-system/sa/ingress"));
        }
    }
}
