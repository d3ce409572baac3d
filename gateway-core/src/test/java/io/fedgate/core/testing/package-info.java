/**
 * Test fixtures shared with the other modules through gateway-core's test-jar: {@link FederationPki} (a two-mesh
 * PKI minted on the fly) and {@link FederationFixture} (its files and each mesh's config directory on disk);
 * {@link LoopbackTls}, a mutual-TLS echo harness reporting each side's handshake; {@link RawClient} and
 * {@link ClientHelloBuilder} for malformed and oversized input. Traffic with digests both ways is main code, in
 * {@link io.fedgate.core.probe}; running a gateway in its own JVM is {@link io.fedgate.core.demo.GatewayProcess}.
 */
package io.fedgate.core.testing;
