/**
 * What the gateways' listeners share: admitting each downstream connection under the connection limit and keeping
 * its {@link io.fedgate.core.listener.ConnectionRecord} for the access log
 * ({@link io.fedgate.core.listener.DownstreamConnections}); reporting (log once, count with a reason) every
 * downstream connection that ends without a relay, and starting the relay when one is set up
 * ({@link io.fedgate.core.listener.DownstreamReporter}); the route refusals that lead there; the PROXY protocol
 * header in front of a listener ({@link io.fedgate.core.listener.ProxyProtocolHandler}); and the current route
 * table ({@link io.fedgate.core.listener.TlsRouteTable}, owning its TLS contexts) that each connection leases
 * ({@link io.fedgate.core.listener.LeasedRoutes}) while it uses a route's TLS context.
 */
package io.fedgate.core.listener;
