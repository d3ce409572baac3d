package io.fedgate.ingress;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;

import io.netty.handler.ssl.SslContext;
import io.netty.util.ReferenceCountUtil;

import io.fedgate.core.listener.DownstreamRefusal;
import io.fedgate.core.listener.RouteRefusedException;
import io.fedgate.core.listener.TlsRouteTable;
import io.fedgate.core.config.ExportedService;
import io.fedgate.core.config.FederationConfig;
import io.fedgate.core.config.PeerConfig;
import io.fedgate.core.config.Service;
import io.fedgate.core.config.ServicePort;
import io.fedgate.core.gateway.GatewayContext;
import io.fedgate.core.gateway.StartupException;
import io.fedgate.core.routing.SniName;
import io.fedgate.core.tls.SslContexts;
import io.fedgate.core.trust.PeerAuthorizer;

/**
 * The service listener's filter chains: every exported host of every served peer, by server name, in both forms a
 * peer's egress may use ({@code <exported host>} and {@code outbound_.<port>_._.<exported host>}). Immutable once
 * built; a config reload builds a new table and swaps it in, and live connections keep the routes they chose: each
 * leases the table it routed by (see {@link io.fedgate.core.listener.LeasedRoutes}), which keeps its TLS contexts.
 */
final class IngressRouteTable extends TlsRouteTable {
    private static final Logger LOG = Logger.getLogger(IngressRouteTable.class.getName());

    private final Map<SniName, IngressRoute> routes;
    /** Plain host names of multi-port services: routable only with a port. */
    private final Map<String, List<Integer>> ambiguousHosts;

    private IngressRouteTable(Map<SniName, IngressRoute> routes, Map<String, List<Integer>> ambiguousHosts,
                              List<SslContext> serverContexts) {
        super(serverContexts);
        this.routes = Map.copyOf(routes);
        this.ambiguousHosts = Map.copyOf(ambiguousHosts);
    }

    /**
     * Builds the routes of every peer the gateway serves: one mTLS server context per peer (accepting exactly its
     * {@code clientID}), and per exported service port the local endpoints.
     *
     * @throws StartupException if a service's TLS mode annotation is invalid
     */
    static IngressRouteTable build(GatewayContext context) {
        FederationConfig config = context.config();
        Map<SniName, IngressRoute> routes = new LinkedHashMap<>();
        Map<String, List<Integer>> ambiguous = new HashMap<>();
        List<SslContext> contexts = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (PeerConfig peer : context.peers()) {
            SslContext serverContext = SslContexts.forServer(context.identity(), context.trustBundles(),
                    PeerAuthorizer.exactly(peer.security().clientId()), context.tlsProvider());
            contexts.add(serverContext);
            for (ExportedService export : config.exportedServices(peer.name())) {
                Service service = config.service(export.localService().namespace(), export.localService().name())
                        .orElse(null);
                if (service == null) {
                    continue; // exports are computed from the catalogue, so this cannot happen; stay safe
                }
                TlsMode mode;
                UpstreamProxyProtocol proxyProtocol;
                try {
                    mode = TlsMode.of(service);
                    proxyProtocol = UpstreamProxyProtocol.of(service);
                } catch (IllegalArgumentException e) {
                    problems.add(e.getMessage());
                    continue;
                }
                String host = SniName.parse(export.hostname()).host();
                for (ServicePort port : service.ports()) {
                    IngressRoute route = new IngressRoute(peer, host, service, port, mode, proxyProtocol, serverContext,
                            config.endpoints(service, port.port()), new AtomicInteger());
                    IngressRoute previous = routes.putIfAbsent(new SniName(host, port.port()), route);
                    if (previous != null) {
                        LOG.warning(() -> "peer " + peer.name() + ": " + host + " port " + port.port()
                                + " is exported by both " + previous.serviceName() + " and " + route.serviceName()
                                + "; routing to " + previous.serviceName());
                    }
                }
                if (service.ports().size() == 1) {
                    routes.putIfAbsent(new SniName(host, 0), routes.get(new SniName(host, service.ports().get(0).port())));
                } else if (service.ports().size() > 1) {
                    ambiguous.put(host, service.ports().stream().map(ServicePort::port).toList());
                }
            }
        }
        if (!problems.isEmpty()) {
            contexts.forEach(ReferenceCountUtil::release);
            throw new StartupException(problems);
        }
        return new IngressRouteTable(routes, ambiguous, contexts);
    }

    /**
     * The route for a ClientHello's server name.
     *
     * @throws RouteRefusedException with reason {@code no-sni}, {@code unknown-sni} or {@code sni-needs-port}
     */
    IngressRoute lookup(String serverName) throws RouteRefusedException {
        if (serverName == null || serverName.isEmpty()) {
            throw new RouteRefusedException(DownstreamRefusal.NO_SNI, "the ClientHello names no server (SNI)");
        }
        SniName name = SniName.parse(serverName);
        IngressRoute route = routes.get(name);
        if (route != null) {
            return route;
        }
        List<Integer> ports = ambiguousHosts.get(name.host());
        if (!name.hasPort() && ports != null) {
            throw new RouteRefusedException(DownstreamRefusal.SNI_NEEDS_PORT, serverName
                    + " has ports " + ports + "; name one as " + SniName.outbound(ports.get(0), name.host()));
        }
        throw new RouteRefusedException(DownstreamRefusal.UNKNOWN_SNI,
                serverName + " is not exported to any peer this ingress serves");
    }

    /** Number of server names routed, for the start-up log. */
    int size() {
        return routes.size();
    }
}
