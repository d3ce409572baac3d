/**
 * Command lines of the fedgate processes: option declarations and parsing, the shared start of the gateway commands,
 * and {@code fedgate validate}.
 */
package io.fedgate.core.cli;
