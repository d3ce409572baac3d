/** The SPIFFE ID value type and its strict parser; nothing here knows about certificates or TLS. */
package io.fedgate.core.spiffe;
