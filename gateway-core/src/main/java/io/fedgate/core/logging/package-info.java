/**
 * Process-wide logging set-up (java.util.logging to stderr, one line per record), the access log (one JSON line
 * per connection, to stdout or a file, written off the event loops), and rate-limited lines for refusals a peer can
 * repeat at will.
 */
package io.fedgate.core.logging;
