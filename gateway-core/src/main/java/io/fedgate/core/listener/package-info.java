/**
 * What the gateways' listeners share before a relay starts: reporting (log once, count with a reason) every
 * downstream connection that ends without one, the route refusals that lead there, and the current route
 * table ({@link io.fedgate.core.listener.TlsRouteTable}, owning its TLS contexts) that each connection leases
 * ({@link io.fedgate.core.listener.LeasedRoutes}) while it uses a route's TLS context.
 */
package io.fedgate.core.listener;
