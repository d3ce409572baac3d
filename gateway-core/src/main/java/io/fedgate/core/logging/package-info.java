/**
 * Process-wide logging set-up (java.util.logging to stderr, one line per record) and the access log (one JSON line
 * per connection, to stdout or a file, written off the event loops).
 */
package io.fedgate.core.logging;
