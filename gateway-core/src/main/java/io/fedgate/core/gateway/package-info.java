/**
 * Gateway start-up: turns a process's options into a validated, immutable {@link io.fedgate.core.gateway.GatewayContext}
 * (config, served peers, identity, trust bundles, TLS provider) before anything listens.
 */
package io.fedgate.core.gateway;
