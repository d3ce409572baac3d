package io.fedgate.core.spiffe;

/** Thrown when a string is not a valid SPIFFE ID; the message quotes the input and names the broken rule. */
public final class InvalidSpiffeIdException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final String reason;

    InvalidSpiffeIdException(String input, String reason) {
        super("'" + input + "' is not a SPIFFE ID: " + reason);
        this.reason = reason;
    }

    /** The broken rule alone, without the input, e.g. {@code trust domain must be lowercase}. */
    public String reason() {
        return reason;
    }
}
