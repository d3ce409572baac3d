/**
 * What the gateways' listeners share before a relay starts: reporting (log once, count with a reason) every
 * downstream connection that ends without one, and the route refusals that lead there.
 */
package io.fedgate.core.listener;
