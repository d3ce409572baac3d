/**
 * The relay: joins a downstream and an upstream channel on one event loop with backpressure and half-close, and
 * opens upstream connections over a cluster's endpoints. Shared by the ingress and egress gateways.
 */
package io.fedgate.core.relay;
