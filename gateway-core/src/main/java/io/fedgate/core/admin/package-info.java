/** The admin listener: Prometheus metrics, readiness and status pages over plain HTTP. */
package io.fedgate.core.admin;
