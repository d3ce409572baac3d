/**
 * A gateway's life: start-up turns a process's options into a validated, immutable
 * {@link io.fedgate.core.gateway.GatewayContext} (config, served peers, identity, trust bundles, TLS provider) before
 * anything listens; afterwards {@link io.fedgate.core.gateway.GatewayLifecycle} runs reloads (SIGHUP, or the
 * {@link io.fedgate.core.gateway.ConfigWatcher}'s file changes) and the SIGTERM drain, and
 * {@link io.fedgate.core.gateway.GatewayHealth} is what readiness answers.
 */
package io.fedgate.core.gateway;
