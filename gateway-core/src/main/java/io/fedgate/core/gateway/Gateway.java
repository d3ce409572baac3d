package io.fedgate.core.gateway;

/** A running gateway process, as its command drives it: reload on SIGHUP, drain on SIGTERM. */
public interface Gateway extends AutoCloseable {
    /** Re-reads the config directory and the certificate files; a refused change leaves the running config. */
    void reload();

    /**
     * Stops taking connections and lets live ones finish (see {@link GatewayLifecycle#drain}), then closes. Blocks;
     * idempotent.
     */
    void drain();

    /** Blocks until the gateway has closed. */
    void awaitClose() throws InterruptedException;

    /** Closes the listeners and every connection, and releases everything; idempotent. */
    @Override
    void close();

    /** Starts a gateway from its prepared context. */
    @FunctionalInterface
    interface Starter {
        /**
         * @throws StartupException     if what the context describes cannot be served
         * @throws InterruptedException if interrupted while binding
         */
        Gateway start(GatewayContext context) throws InterruptedException;
    }
}
