/** Process-wide logging set-up: java.util.logging to stderr, one line per record. */
package io.fedgate.core.logging;
