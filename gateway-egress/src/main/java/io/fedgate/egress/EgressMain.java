package io.fedgate.egress;

/** Entry point of the egress gateway process. */
public final class EgressMain {
    private EgressMain() {
    }

    public static void main(String[] args) {
        throw new UnsupportedOperationException("placeholder, replaced before the first commit");
    }
}
