package io.fedgate.core.discovery;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import io.fedgate.core.config.ExportedService;
import io.fedgate.core.config.FederationConfig;
import io.fedgate.core.config.Service;
import io.fedgate.core.config.ServicePort;

/**
 * What one peer is served: the {@link ServiceListMessage} built from the configuration's export rules and local
 * service catalogue, and the {@link WatchEvent}s that turn one such list into the next.
 *
 * <p>Each exported service is published under its exported (aliased) name, namespace and hostname
 * {@code <name>.<namespace>.svc.<peer>-exports.local}; its ports are the local Service's ports, in order, with the
 * {@link IstioProtocol Istio protocol}; its service accounts are the SPIFFE IDs of the exporting ingress gateway,
 * sorted and without duplicates (the identity the peer's egress must see on the service port). Two local services
 * exported under one hostname cannot both be published: the first by namespace and name wins.
 */
public final class ExportCatalog {

    private ExportCatalog() {
    }

    /**
     * The list served to peer {@code peerName}: every local service its {@code ExportedServiceSet} exports, sorted by
     * hostname, with the checksum. Empty when the peer has no export set.
     *
     * @param serviceAccounts the exporting ingress gateway's SPIFFE IDs, e.g.
     *     {@code spiffe://red-mesh.local/ns/red-mesh-system/sa/ingress-green-mesh-service-account}
     */
    public static ServiceListMessage serviceList(FederationConfig config, String peerName,
                                                 Collection<String> serviceAccounts) {
        requireNonNull(config, "config");
        requireNonNull(peerName, "peerName");
        List<String> accounts = List.copyOf(new TreeSet<>(requireNonNull(serviceAccounts, "serviceAccounts")));
        List<ServiceMessage> services = new ArrayList<>();
        Set<String> hostnames = new HashSet<>();
        for (ExportedService exported : config.exportedServices(peerName)) {
            if (!hostnames.add(exported.hostname())) {
                continue; // Sorted by hostname, then by local namespace/name: the first one stays.
            }
            Service local = config.service(exported.localService().namespace(), exported.localService().name())
                    .orElseThrow(() -> new IllegalStateException("exported service without a local Service: "
                            + exported.localService()));
            services.add(serviceMessage(local, exported, accounts));
        }
        return ServiceListMessage.of(services);
    }

    /** How local Service {@code local}, exported as {@code exported}, is published with {@code serviceAccounts}. */
    public static ServiceMessage serviceMessage(Service local, ExportedService exported, List<String> serviceAccounts) {
        requireNonNull(local, "local");
        requireNonNull(exported, "exported");
        List<ServicePortMessage> ports = new ArrayList<>(local.ports().size());
        for (ServicePort port : local.ports()) {
            ports.add(new ServicePortMessage(port.name(), port.port(), IstioProtocol.of(port)));
        }
        return new ServiceMessage(exported.exportedName().name(), exported.exportedName().namespace(),
                exported.hostname(), ports, serviceAccounts);
    }

    /**
     * The events that turn {@code before} into {@code after}, by hostname in hostname order: {@code delete} for a
     * hostname only in {@code before}, {@code add} for one only in {@code after}, {@code update} (with the new form)
     * for one whose service hash changed, as the reference compares them, so that reordering ports or accounts is no
     * change. Each event carries the checksum of the list after it and every event before it, so the last one's is
     * the checksum of {@code after}'s services. Empty when nothing changed.
     */
    public static List<WatchEvent> diff(ServiceListMessage before, ServiceListMessage after) {
        Map<String, ServiceMessage> old = byHostname(requireNonNull(before, "before"));
        Map<String, ServiceMessage> next = byHostname(requireNonNull(after, "after"));
        long xor = 0;
        for (ServiceMessage service : old.values()) {
            xor ^= DiscoveryChecksum.service(service);
        }
        Set<String> hostnames = new TreeSet<>(old.keySet());
        hostnames.addAll(next.keySet());
        List<WatchEvent> events = new ArrayList<>();
        for (String hostname : hostnames) {
            ServiceMessage was = old.get(hostname);
            ServiceMessage is = next.get(hostname);
            long wasHash = was == null ? 0 : DiscoveryChecksum.service(was);
            long isHash = is == null ? 0 : DiscoveryChecksum.service(is);
            if (was != null && is != null && wasHash == isHash) {
                continue;
            }
            xor ^= wasHash ^ isHash;
            long checksum = DiscoveryChecksum.serviceListOfServiceHashes(xor);
            if (was == null) {
                events.add(WatchEvent.add(is, checksum));
            } else if (is == null) {
                events.add(WatchEvent.delete(was, checksum));
            } else {
                events.add(WatchEvent.update(is, checksum));
            }
        }
        return List.copyOf(events);
    }

    private static Map<String, ServiceMessage> byHostname(ServiceListMessage list) {
        Map<String, ServiceMessage> services = new LinkedHashMap<>();
        for (ServiceMessage service : list.services()) {
            services.put(service.hostname(), service);
        }
        return services;
    }
}
