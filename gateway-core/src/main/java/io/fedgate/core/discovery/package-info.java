/**
 * The federation discovery API, as the reference speaks it on port 8188: the wire model and its one JSON codec, the
 * checksum, the export catalogue a peer is served, the per-peer state with its watchers, and the Netty HTTP handler
 * answering {@code /v1/services/<peer>} and {@code /v1/watch/<peer>}. The wire format is public API.
 */
package io.fedgate.core.discovery;
