/**
 * The ingress gateway process: accepts a peer mesh's service traffic on its raw-TLS listener and its discovery
 * requests, authenticating the peer's egress by SPIFFE ID.
 */
package io.fedgate.ingress;
