package io.fedgate.core.discovery;

/**
 * A discovery message that is not valid JSON or does not have the shape of the protocol: a syntax error, a field of
 * the wrong type, an unknown watch action, an unsigned checksum out of range, or (from {@link DiscoveryValidation})
 * a field that is missing or not well-formed. The message names the field path and, for syntax errors, the line and
 * column. {@link #malformed()} tells the two kinds apart, since a client counts them apart.
 */
public final class DiscoveryFormatException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final boolean malformed;

    /** Well-formed JSON that is not a protocol message: a problem described by {@code message}. */
    public DiscoveryFormatException(String message) {
        super(message);
        this.malformed = false;
    }

    /** Well-formed JSON that is not a protocol message, found while reading with {@code cause}. */
    public DiscoveryFormatException(String message, Throwable cause) {
        super(message, cause);
        this.malformed = false;
    }

    private DiscoveryFormatException(String message, Throwable cause, boolean malformed) {
        super(message, cause);
        this.malformed = malformed;
    }

    /** Text that is not one JSON object at all: empty, a syntax error, or something after the object. */
    static DiscoveryFormatException malformed(String message, Throwable cause) {
        return new DiscoveryFormatException(message, cause, true);
    }

    /** Whether the text was not JSON at all, rather than JSON of the wrong shape. */
    public boolean malformed() {
        return malformed;
    }
}
