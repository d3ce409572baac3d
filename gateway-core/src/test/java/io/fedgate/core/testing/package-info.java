/**
 * Test fixtures shared with the other modules through gateway-core's test-jar: {@link FederationPki} (a two-mesh
 * PKI minted on the fly) and {@link FederationFixture} (its files and each mesh's config directory on disk);
 * {@link LoopbackTls}, a mutual-TLS echo harness reporting each side's handshake; {@link DigestingBackend},
 * {@link TlsBackend} and {@link TrafficClient}, which move seeded data and compare SHA-256 digests both ways,
 * reporting each connection as a {@link ConnectionReport}; {@link RawClient} and {@link ClientHelloBuilder} for
 * malformed and oversized input; and {@link GatewayProcess}, which runs a gateway jar in its own JVM.
 */
package io.fedgate.core.testing;
