/**
 * TLS plumbing: PEM reading, the gateway's own identity loaded from Istio's mounted files, the choice between the
 * OpenSSL (BoringSSL) and JDK providers, and the mutual-TLS {@code SslContext}s built once per configuration.
 */
package io.fedgate.core.tls;
