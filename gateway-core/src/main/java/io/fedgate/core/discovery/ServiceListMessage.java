package io.fedgate.core.discovery;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The answer to {@code GET /v1/services/<peer>}: every service exported to that peer, sorted by hostname, and the
 * {@link DiscoveryChecksum checksum} of the whole list. The checksum is an unsigned 64-bit value held in a
 * {@code long}; print it with {@link Long#toUnsignedString(long)}.
 *
 * <p>The canonical constructor keeps the checksum it is given (a list read from a peer carries the peer's value) and
 * sorts the services by hostname; {@link #of(Collection)} computes the checksum.
 *
 * @param checksum the checksum as sent, unsigned
 * @param services the services, sorted by hostname
 */
public record ServiceListMessage(long checksum, List<ServiceMessage> services) {
    private static final Comparator<ServiceMessage> BY_HOSTNAME = Comparator.comparing(ServiceMessage::hostname);

    /** The empty list with its checksum, {@code 3035108133973235477}. */
    public static final ServiceListMessage EMPTY = of(List.of());

    public ServiceListMessage {
        List<ServiceMessage> sorted = new ArrayList<>(requireNonNull(services, "services"));
        sorted.sort(BY_HOSTNAME);
        services = List.copyOf(sorted);
    }

    /** The list of {@code services} with its computed checksum. */
    public static ServiceListMessage of(Collection<ServiceMessage> services) {
        return new ServiceListMessage(DiscoveryChecksum.serviceList(services), List.copyOf(services));
    }

    /** The service published as {@code hostname}, if any. */
    public Optional<ServiceMessage> service(String hostname) {
        requireNonNull(hostname, "hostname");
        return services.stream().filter(service -> service.hostname().equals(hostname)).findFirst();
    }

    /** Whether {@link #checksum()} is the checksum of {@link #services()}: false for a corrupted or stale list. */
    public boolean checksumMatches() {
        return DiscoveryChecksum.serviceList(services) == checksum;
    }

    /**
     * This list with {@code event} applied, as a watching client applies it: {@code add} and {@code update} put the
     * service under its hostname, {@code delete} removes the service of that hostname, and a resync (a bare
     * {@code update}) changes nothing. The result's checksum is computed, not taken from the event, so that a client
     * can compare the two and resync fully on a mismatch.
     */
    public ServiceListMessage apply(WatchEvent event) {
        requireNonNull(event, "event");
        if (event.isResync()) {
            return this;
        }
        String hostname = event.service().hostname();
        List<ServiceMessage> next = new ArrayList<>(services.size() + 1);
        for (ServiceMessage service : services) {
            if (!service.hostname().equals(hostname)) {
                next.add(service);
            }
        }
        if (event.action() != WatchEvent.Action.DELETE) {
            next.add(event.service());
        }
        return of(next);
    }

    /** The checksum unsigned, then the hostnames. */
    @Override
    public String toString() {
        return "ServiceListMessage{checksum=" + Long.toUnsignedString(checksum) + ", services="
                + services.stream().map(ServiceMessage::hostname).toList() + '}';
    }
}
