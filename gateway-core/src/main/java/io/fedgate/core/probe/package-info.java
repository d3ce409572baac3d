/**
 * Digest-verified traffic on loopback: sample services ({@link io.fedgate.core.probe.DigestingBackend}, plain or
 * {@linkplain io.fedgate.core.probe.TlsBackend TLS}; echo or sink-and-source) and a client
 * ({@link io.fedgate.core.probe.TrafficClient}) that sends a seeded pseudo-random stream and reports bytes and
 * SHA-256 each way, the TLS handshake, and how the connection ended. The demo, the end-to-end tests and the load
 * benchmarks all send their traffic with these, so "what was sent equals what arrived" is checked the same way
 * everywhere.
 */
package io.fedgate.core.probe;
