package io.fedgate.core.discovery;

/**
 * A discovery message that is not valid JSON or does not have the shape of the protocol: a syntax error, a field of
 * the wrong type, an unknown watch action, an unsigned checksum out of range. The message names the field path and,
 * for syntax errors, the line and column.
 */
public final class DiscoveryFormatException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** A format problem described by {@code message}. */
    public DiscoveryFormatException(String message) {
        super(message);
    }

    /** A format problem described by {@code message}, found while reading with {@code cause}. */
    public DiscoveryFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
