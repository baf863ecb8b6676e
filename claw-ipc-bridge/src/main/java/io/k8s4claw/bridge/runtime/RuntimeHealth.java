package io.k8s4claw.bridge.runtime;

import java.time.Instant;
import java.util.Objects;

/**
 * How the link to the runtime is, for {@code /readyz} and the {@code runtime link state} metric.
 *
 * @param state  UP (reachable and ready for runs), STARTING (never reached yet, or reachable but not ready:
 *               degraded, draining), DOWN (was reached before, now unreachable or refusing us)
 * @param detail one line for operators, e.g. {@code "GET /health/detailed: status=degraded (disk)"}; never secrets
 * @param since  when the state last changed
 */
public record RuntimeHealth(State state, String detail, Instant since) {

    public enum State {
        UP,
        STARTING,
        DOWN
    }

    public RuntimeHealth {
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(detail, "detail");
        Objects.requireNonNull(since, "since");
    }

    public boolean isUp() {
        return state == State.UP;
    }
}
