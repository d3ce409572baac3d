/**
 * The gateway's federation configuration: Kubernetes-style resources ({@code ServiceMeshPeer}, {@code ConfigMap},
 * {@code ExportedServiceSet}, {@code ImportedServiceSet}, {@code Service}, {@code EndpointSlice}) read from a directory,
 * validated all at once, and turned into the immutable {@link io.fedgate.core.config.FederationConfig} the runtime uses.
 * Nothing here opens a socket; the runtime receives built objects and never reads files.
 */
package io.fedgate.core.config;
