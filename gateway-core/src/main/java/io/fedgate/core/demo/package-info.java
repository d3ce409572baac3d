/**
 * A federation on loopback, as {@code fedgate demo} runs it and as the end-to-end tests and load benchmarks start
 * it: {@link io.fedgate.core.demo.Mesh} (a mesh's CA and gateway SVIDs), the Kubernetes YAML a user would write
 * ({@link io.fedgate.core.demo.PeerResources}, {@link io.fedgate.core.demo.ServiceSpec},
 * {@link io.fedgate.core.demo.ConfigDirectory}), gateways as processes ({@link io.fedgate.core.demo.GatewayProcess}),
 * the whole federation with its addresses ({@link io.fedgate.core.demo.LoopbackFederation}), traffic over its links
 * ({@link io.fedgate.core.demo.LinkTraffic}) and the command ({@link io.fedgate.core.demo.DemoCommand}).
 */
package io.fedgate.core.demo;
