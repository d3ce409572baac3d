/**
 * Test fixtures shared with the other modules through gateway-core's test-jar: a two-mesh PKI minted on the fly
 * and a loopback mutual-TLS harness that reports each side's handshake outcome.
 */
package io.fedgate.core.testing;
