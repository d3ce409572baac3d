package io.fedgate.core.config;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.util.Optional;

import io.fedgate.core.internal.config.Names;

/**
 * What a gateway is told on its command line about the configuration it reads: its control-plane namespace
 * ({@code --namespace}), the cluster domain local service names end in, and whether a configuration without any
 * {@code ServiceMeshPeer} is an error (it is for a gateway about to start; {@code fedgate validate} turns the check
 * off so it can still print a summary, then runs {@link FederationConfig#checkServable()} itself).
 */
public final class ConfigOptions {
    /** The Kubernetes default cluster domain. */
    public static final String DEFAULT_CLUSTER_DOMAIN = "cluster.local";

    /** Suffix Maistra control-plane namespaces carry; removing it gives the mesh name ({@code red-mesh-system}). */
    public static final String SYSTEM_NAMESPACE_SUFFIX = "-system";

    private final String namespace;
    private final String clusterDomain;
    private final boolean requirePeers;
    private final Clock clock;

    private ConfigOptions(Builder builder) {
        this.namespace = builder.namespace;
        this.clusterDomain = builder.clusterDomain;
        this.requirePeers = builder.requirePeers;
        this.clock = builder.clock;
    }

    /** Starts options for the control-plane namespace {@code namespace} (a DNS-1123 label). */
    public static Builder builder(String namespace) {
        return new Builder(namespace);
    }

    /** Options with every default for {@code namespace}. */
    public static ConfigOptions of(String namespace) {
        return builder(namespace).build();
    }

    /** This mesh's control-plane namespace, e.g. {@code red-mesh-system}. */
    public String namespace() {
        return namespace;
    }

    /** The cluster domain of local service names, {@code cluster.local} unless changed. */
    public String clusterDomain() {
        return clusterDomain;
    }

    /** Whether loading fails when there is nothing to serve (no YAML file, no peer in the namespace). */
    public boolean requirePeers() {
        return requirePeers;
    }

    /** The clock certificate validity is checked against. */
    public Clock clock() {
        return clock;
    }

    /**
     * This mesh's name, the namespace without its {@code -system} suffix ({@code red-mesh-system} gives
     * {@code red-mesh}); empty when the namespace does not follow that convention.
     */
    public Optional<String> meshName() {
        return meshName(namespace);
    }

    static Optional<String> meshName(String namespace) {
        if (namespace.endsWith(SYSTEM_NAMESPACE_SUFFIX) && namespace.length() > SYSTEM_NAMESPACE_SUFFIX.length()) {
            return Optional.of(namespace.substring(0, namespace.length() - SYSTEM_NAMESPACE_SUFFIX.length()));
        }
        return Optional.empty();
    }

    @Override
    public String toString() {
        return "ConfigOptions{namespace=" + namespace + ", clusterDomain=" + clusterDomain
                + ", requirePeers=" + requirePeers + '}';
    }

    /** Builds {@link ConfigOptions}; every setter validates its argument at once. */
    public static final class Builder {
        private final String namespace;
        private String clusterDomain = DEFAULT_CLUSTER_DOMAIN;
        private boolean requirePeers = true;
        private Clock clock = Clock.systemUTC();

        private Builder(String namespace) {
            requireNonNull(namespace, "namespace");
            Names.checkDns1123Label(namespace).ifPresent(reason -> {
                throw new IllegalArgumentException("namespace: " + reason);
            });
            this.namespace = namespace;
        }

        /** Sets the cluster domain (a DNS-1123 subdomain such as {@code cluster.local}). */
        public Builder clusterDomain(String clusterDomain) {
            requireNonNull(clusterDomain, "clusterDomain");
            Names.checkDns1123Subdomain(clusterDomain).ifPresent(reason -> {
                throw new IllegalArgumentException("clusterDomain: " + reason);
            });
            this.clusterDomain = clusterDomain;
            return this;
        }

        /** Whether a configuration with nothing to serve is an error (default true). */
        public Builder requirePeers(boolean requirePeers) {
            this.requirePeers = requirePeers;
            return this;
        }

        /** The clock for certificate validity checks (default: system UTC); tests pin it. */
        public Builder clock(Clock clock) {
            this.clock = requireNonNull(clock, "clock");
            return this;
        }

        /** Returns the options. */
        public ConfigOptions build() {
            return new ConfigOptions(this);
        }
    }
}
