package io.fedgate.ingress;

/** Entry point of the ingress gateway process. */
public final class IngressMain {
    private IngressMain() {
    }

    public static void main(String[] args) {
        throw new UnsupportedOperationException("placeholder, replaced before the first commit");
    }
}
