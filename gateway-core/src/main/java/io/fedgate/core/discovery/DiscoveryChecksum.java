package io.fedgate.core.discovery;

import static java.util.Objects.requireNonNull;

import java.util.Collection;
import java.util.List;

import io.fedgate.core.config.PeerConfig;
import io.fedgate.core.internal.discovery.HashStructure;

/**
 * The checksums of the discovery protocol, bit for bit as the reference computes them: Go's
 * {@code hashstructure.Hash(v, FormatV2, &HashOptions{SlicesAsSets: true})} with its default 64-bit FNV-1, over these
 * Go types (declaration order matters; {@link HashStructure} explains the algorithm):
 *
 * <pre>
 * type ServiceListMessage struct {
 *     Checksum uint64            `hash:"ignore"`
 *     Services []*ServiceMessage `hash:"set"`
 * }
 * type ServiceMessage struct {
 *     ServiceKey                    // embedded: Name, Namespace, Hostname string
 *     ServicePorts    []*ServicePort
 *     ServiceAccounts []string
 * }
 * type ServicePort struct { Name string; Port int; Protocol string }
 * type ServiceMeshPeerRemote struct { Addresses []string; DiscoveryPort int32; ServicePort int32 }
 * </pre>
 *
 * Every slice is hashed as a set, so the order of services, ports, accounts and addresses does not matter. The empty
 * list's checksum is {@code 3035108133973235477}. Checksums are unsigned 64-bit values kept in a {@code long}:
 * {@link #format(long)} and {@link #parse(String)} convert them to and from their decimal text.
 */
public final class DiscoveryChecksum {

    private DiscoveryChecksum() {
    }

    /** The checksum of a list of {@code services}, in any order. */
    public static long serviceList(Collection<ServiceMessage> services) {
        long xor = 0;
        for (ServiceMessage service : requireNonNull(services, "services")) {
            xor ^= service(service);
        }
        return serviceListOfServiceHashes(xor);
    }

    /** The checksum of {@code list}'s services; the checksum it carries plays no part. */
    public static long of(ServiceListMessage list) {
        return serviceList(requireNonNull(list, "list").services());
    }

    /**
     * The hash of one service, as the reference's {@code ServiceMessage.GenerateChecksum} computes it (it compares
     * these to decide whether a service changed).
     */
    public static long service(ServiceMessage service) {
        requireNonNull(service, "service");
        long key = HashStructure.struct("ServiceKey")
                .field("Name", HashStructure.string(service.name()))
                .field("Namespace", HashStructure.string(service.namespace()))
                .field("Hostname", HashStructure.string(service.hostname()))
                .hash();
        long ports = 0;
        for (ServicePortMessage port : service.servicePorts()) {
            ports ^= HashStructure.struct("ServicePort")
                    .field("Name", HashStructure.string(port.name()))
                    .field("Port", HashStructure.int64(port.port()))
                    .field("Protocol", HashStructure.string(port.protocol()))
                    .hash();
        }
        long accounts = 0;
        for (String account : service.serviceAccounts()) {
            accounts ^= HashStructure.string(account);
        }
        return HashStructure.struct("ServiceMessage")
                .field("ServiceKey", key)
                .field("ServicePorts", ports)
                .field("ServiceAccounts", accounts)
                .hash();
    }

    /**
     * The list checksum from the XOR of its services' {@link #service} hashes: lets a caller that keeps that XOR
     * update a list's checksum in constant time per added or removed service.
     */
    public static long serviceListOfServiceHashes(long xorOfServiceHashes) {
        return HashStructure.struct("ServiceListMessage")
                .field("Services", HashStructure.set(xorOfServiceHashes))
                .hash();
    }

    /**
     * The {@code remote} header value's number: the hash of a {@code ServiceMeshPeer}'s {@code spec.remote} as
     * written in the resource, so a port left out (or written 0) is hashed as 0, not as its default.
     */
    public static long remote(List<String> addresses, int discoveryPort, int servicePort) {
        long xor = 0;
        for (String address : requireNonNull(addresses, "addresses")) {
            xor ^= HashStructure.string(address);
        }
        return HashStructure.struct("ServiceMeshPeerRemote")
                .field("Addresses", xor)
                .field("DiscoveryPort", HashStructure.int32(discoveryPort))
                .field("ServicePort", HashStructure.int32(servicePort))
                .hash();
    }

    /**
     * The {@code remote} checksum of {@code peer}'s {@code spec.remote} as written: ports that took their default are
     * hashed as 0, as the reference hashes the resource before applying defaults.
     */
    public static long remote(PeerConfig peer) {
        requireNonNull(peer, "peer");
        PeerConfig.Remote remote = peer.remote();
        return remote(remote.addresses(),
                peer.isDefaulted(PeerConfig.Setting.DISCOVERY_PORT) ? 0 : remote.discoveryPort(),
                peer.isDefaulted(PeerConfig.Setting.SERVICE_PORT) ? 0 : remote.servicePort());
    }

    /** {@code checksum} as unsigned decimal text, as it appears on the wire and in the {@code remote} header. */
    public static String format(long checksum) {
        return Long.toUnsignedString(checksum);
    }

    /**
     * Parses unsigned decimal text (0 to 18446744073709551615).
     *
     * @throws IllegalArgumentException naming the text if it is not one
     */
    public static long parse(String text) {
        requireNonNull(text, "text");
        try {
            return Long.parseUnsignedLong(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not an unsigned 64-bit checksum: '" + text + "'", e);
        }
    }
}
