/**
 * The egress gateway process: sends this mesh's service traffic and discovery requests to a peer mesh over mutual
 * TLS, and reports the peer's status.
 */
package io.fedgate.egress;
