/**
 * A small BouncyCastle certificate authority that mints roots, intermediates and X509-SVIDs, including
 * deliberately broken ones for tests, and writes them as PEM in Istio's mount layout.
 */
package io.fedgate.core.pki;
