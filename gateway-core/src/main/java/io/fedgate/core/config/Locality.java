package io.fedgate.core.config;

import static java.util.Objects.requireNonNull;

/**
 * Where imported services are placed for locality-aware load balancing (an {@code ImportedServiceSet}'s
 * {@code spec.locality}). A zone needs a region and a subzone needs both; absent parts are empty.
 *
 * @param region the region
 * @param zone the zone, or empty
 * @param subzone the subzone, or empty
 */
public record Locality(String region, String zone, String subzone) {

    public Locality {
        requireNonNull(region, "region");
        requireNonNull(zone, "zone");
        requireNonNull(subzone, "subzone");
        if (region.isEmpty() || (!subzone.isEmpty() && zone.isEmpty())) {
            throw new IllegalArgumentException("a zone needs a region and a subzone needs a zone: " + this);
        }
    }

    /** As Istio writes localities, {@code region/zone/subzone} without empty trailing parts. */
    @Override
    public String toString() {
        return region + (zone.isEmpty() ? "" : "/" + zone) + (subzone.isEmpty() ? "" : "/" + subzone);
    }
}
