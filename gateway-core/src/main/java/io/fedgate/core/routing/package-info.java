/** Routing vocabulary shared by both gateways: TLS server names in plain and Istio {@code outbound_} form. */
package io.fedgate.core.routing;
