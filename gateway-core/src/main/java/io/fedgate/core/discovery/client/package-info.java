/**
 * The egress's built-in client of one peer's discovery API: it watches {@code /v1/watch} over mTLS, keeps the peer's
 * service list current with full syncs and checksummed watch events, and reports a {@link
 * io.fedgate.core.discovery.client.WatchStatus} in the shape of the {@code ServiceMeshPeer} status.
 */
package io.fedgate.core.discovery.client;
