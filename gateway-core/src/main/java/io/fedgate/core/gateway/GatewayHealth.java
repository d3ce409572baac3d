package io.fedgate.core.gateway;

import java.time.Clock;
import java.time.Instant;
import java.util.List;

/**
 * What {@code /healthz/ready} answers, in Envoy's words: {@code PRE_INITIALIZING} until every listener is bound,
 * {@code LIVE} while serving, {@code DRAINING} from SIGTERM on. Only {@code LIVE} is ready (200). A refused reload
 * leaves the gateway serving its running config, so it stays {@code LIVE}, and the page says what was refused and
 * why until a reload applies. Thread-safe.
 */
public final class GatewayHealth {
    /** The gateway's state, as {@code /healthz/ready} names it. */
    public enum State {
        PRE_INITIALIZING, LIVE, DRAINING
    }

    private final Clock clock;
    private volatile State state = State.PRE_INITIALIZING;
    private volatile String refusedReload;

    public GatewayHealth(Clock clock) {
        this.clock = clock;
    }

    public State state() {
        return state;
    }

    /** Whether a probe should send traffic here. */
    public boolean ready() {
        return state == State.LIVE;
    }

    /** Every listener is bound. */
    public void live() {
        if (state == State.PRE_INITIALIZING) {
            state = State.LIVE;
        }
    }

    /** SIGTERM: from now on not ready, for good. */
    public void draining() {
        state = State.DRAINING;
    }

    /** A reload applied: the running config is the files' config. */
    public void reloadApplied() {
        refusedReload = null;
    }

    /** A reload was refused: the files hold a config the gateway does not run. */
    public void reloadRefused(List<String> problems) {
        refusedReload = "last reload refused at " + Instant.now(clock) + ", still serving the previous config; "
                + problems.size() + (problems.size() == 1 ? " problem:" : " problems:") + "\n  "
                + String.join("\n  ", problems) + "\n";
    }

    /** The page body: the state on the first line, then a refused reload if any. */
    public String describe() {
        String refused = refusedReload;
        return state + "\n" + (refused == null ? "" : refused);
    }
}
