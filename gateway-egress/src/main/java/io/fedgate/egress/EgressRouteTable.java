package io.fedgate.egress;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;

import io.netty.handler.ssl.SslContext;

import io.fedgate.core.listener.DownstreamRefusal;
import io.fedgate.core.config.FederationConfig;
import io.fedgate.core.config.HostPort;
import io.fedgate.core.config.ImportedService;
import io.fedgate.core.config.ImportedServiceSet;
import io.fedgate.core.config.PeerConfig;
import io.fedgate.core.discovery.ServiceListMessage;
import io.fedgate.core.discovery.ServiceMessage;
import io.fedgate.core.discovery.ServicePortMessage;
import io.fedgate.core.gateway.GatewayContext;
import io.fedgate.core.listener.RouteRefusedException;
import io.fedgate.core.listener.TlsRouteTable;
import io.fedgate.core.routing.SniName;
import io.fedgate.core.spiffe.InvalidSpiffeIdException;
import io.fedgate.core.spiffe.SpiffeId;
import io.fedgate.core.tls.SslContexts;
import io.fedgate.core.trust.PeerAuthorizer;
import io.fedgate.core.trust.TrustBundles;

/**
 * The egress service listener's routes: every service a served peer's discovery lists and this mesh's
 * {@code ImportedServiceSet} for that peer imports, by the local import host, in both forms a local caller may use
 * ({@code <local host>} for a single-port service, and {@code outbound_.<port>_._.<local host>}). Immutable once
 * built; a discovery update or a config reload builds a new table, and live connections keep their routes: each
 * leases the table it routed by (see {@link io.fedgate.core.listener.LeasedRoutes}), which keeps its TLS contexts.
 *
 * <p>Per peer, one upstream mTLS client context: it presents the egress's certificate, verifies the server only
 * against the peer's root, and accepts only the {@code serviceAccounts} of the service whose exported host it
 * dialled.
 */
final class EgressRouteTable extends TlsRouteTable {
    private static final Logger LOG = Logger.getLogger(EgressRouteTable.class.getName());

    /** By server name: the local host, and {@code outbound_.<port>_._.<local host>}. */
    private final TreeMap<String, EgressRoute> routes;
    private final Map<String, List<Integer>> ambiguousHosts;

    private EgressRouteTable(TreeMap<String, EgressRoute> routes, Map<String, List<Integer>> ambiguousHosts,
                             List<SslContext> clientContexts) {
        super(clientContexts);
        this.routes = routes;
        this.ambiguousHosts = Map.copyOf(ambiguousHosts);
    }

    /** No routes: before any discovery. */
    static EgressRouteTable empty() {
        return new EgressRouteTable(new TreeMap<>(), Map.of(), List.of());
    }

    /**
     * Builds the routes of every served peer from its latest discovered list ({@code lists}, by peer name; a peer
     * without one has no routes), mapped through the peer's {@code ImportedServiceSet} (none: nothing imported).
     */
    static EgressRouteTable build(GatewayContext context, Map<String, ServiceListMessage> lists) {
        FederationConfig config = context.config();
        TreeMap<String, EgressRoute> routes = new TreeMap<>();
        Map<String, List<Integer>> ambiguous = new HashMap<>();
        List<SslContext> contexts = new ArrayList<>();
        for (PeerConfig peer : context.peers()) {
            ServiceListMessage list = lists.get(peer.name());
            ImportedServiceSet imports = config.importedServiceSet(peer.name()).orElse(null);
            if (list == null || imports == null || list.services().isEmpty()) {
                continue;
            }
            Map<String, Set<SpiffeId>> accountsByExportedHost = new HashMap<>();
            SslContext clientContext = SslContexts.forClient(context.identity(), peerBundle(config, peer),
                    PeerAuthorizer.byPeerHost(accountsByExportedHost::get), context.tlsProvider());
            contexts.add(clientContext);
            List<HostPort> endpoints = peer.remote().addresses().stream()
                    .map(address -> new HostPort(address, peer.remote().servicePort())).toList();
            AtomicInteger nextEndpoint = new AtomicInteger();
            for (ServiceMessage service : list.services()) {
                ImportedService imported = imports.importService(service.name(), service.namespace()).orElse(null);
                if (imported == null) {
                    continue; // not imported: not routable
                }
                String localHost = imported.hostname().toLowerCase(Locale.ROOT);
                String exportedHost = SniName.parse(service.hostname()).host();
                Set<SpiffeId> accounts = serviceAccounts(peer, service);
                accountsByExportedHost.merge(exportedHost, accounts, (a, b) -> {
                    Set<SpiffeId> both = new LinkedHashSet<>(a);
                    both.addAll(b);
                    return Set.copyOf(both);
                });
                List<Integer> ports = service.servicePorts().stream().map(ServicePortMessage::port).toList();
                for (int port : ports) {
                    EgressRoute route = new EgressRoute(peer, localHost, exportedHost, port, accounts, clientContext,
                            endpoints, nextEndpoint);
                    EgressRoute previous = routes.putIfAbsent(SniName.outbound(port, localHost), route);
                    if (previous != null) {
                        LOG.warning(() -> localHost + " port " + port + " is imported from both " + previous.peer().name()
                                + " (" + previous.exportedHost() + ") and " + peer.name() + " (" + exportedHost
                                + "); routing to the first");
                    }
                }
                if (ports.size() == 1) {
                    routes.putIfAbsent(localHost, routes.get(SniName.outbound(ports.get(0), localHost)));
                } else if (ports.size() > 1) {
                    ambiguous.put(localHost, ports);
                }
            }
        }
        return new EgressRouteTable(routes, ambiguous, contexts);
    }

    /** The peer's trust domain with only its roots: a server chaining to any other root is refused. */
    private static TrustBundles peerBundle(FederationConfig config, PeerConfig peer) {
        return TrustBundles.builder().add(peer.security().trustDomain(), config.rootBundle(peer.name())).build();
    }

    private static Set<SpiffeId> serviceAccounts(PeerConfig peer, ServiceMessage service) {
        Set<SpiffeId> accounts = new LinkedHashSet<>();
        for (String account : service.serviceAccounts()) {
            try {
                accounts.add(account.startsWith(SpiffeId.PREFIX) ? SpiffeId.parse(account) : SpiffeId.parsePrincipal(account));
            } catch (InvalidSpiffeIdException e) {
                LOG.warning(() -> "peer " + peer.name() + ": " + service.hostname() + ": ignoring service account "
                        + account + ": " + e.getMessage());
            }
        }
        return accounts;
    }

    /**
     * The route for a downstream ClientHello's server name.
     *
     * @throws RouteRefusedException with reason {@code no-sni}, {@code unknown-sni} or {@code sni-needs-port}
     */
    EgressRoute lookup(String serverName) throws RouteRefusedException {
        if (serverName == null || serverName.isEmpty()) {
            throw new RouteRefusedException(DownstreamRefusal.NO_SNI, "the ClientHello names no server (SNI)");
        }
        SniName name = SniName.parse(serverName);
        EgressRoute route = routes.get(key(name));
        if (route != null) {
            return route;
        }
        List<Integer> ports = ambiguousHosts.get(name.host());
        if (!name.hasPort() && ports != null) {
            throw new RouteRefusedException(DownstreamRefusal.SNI_NEEDS_PORT, serverName
                    + " has ports " + ports + "; name one as " + SniName.outbound(ports.get(0), name.host()));
        }
        throw new RouteRefusedException(DownstreamRefusal.UNKNOWN_SNI,
                serverName + " is not imported from any peer this egress serves");
    }

    private static String key(SniName name) {
        return name.hasPort() ? SniName.outbound(name.port(), name.host()) : name.host();
    }

    /** Every (local host, port) routed, once each, by local host and then port. */
    List<EgressRoute> servicePorts() {
        return routes.entrySet().stream().filter(e -> SniName.parse(e.getKey()).hasPort()).map(Map.Entry::getValue)
                .sorted(Comparator.comparing(EgressRoute::localHost).thenComparingInt(EgressRoute::port))
                .toList();
    }

    /** Number of server names routed, for logs. */
    int size() {
        return routes.size();
    }
}
