package io.k8s4claw.api.runtime;

import java.util.Objects;

/**
 * How a runtime stops. The operator uses {@code terminationGracePeriodSeconds} unless the Claw sets its own
 * (adapters reject values below {@code minimumGracePeriodSeconds}).
 *
 * @param terminationGracePeriodSeconds default pod termination grace
 * @param minimumGracePeriodSeconds     the least grace the runtime needs to drain and close its databases
 * @param description                   what the runtime does on SIGTERM, for docs and {@code claw render}
 */
public record ShutdownPolicy(long terminationGracePeriodSeconds, long minimumGracePeriodSeconds, String description) {
    public ShutdownPolicy {
        Objects.requireNonNull(description, "description");
        if (minimumGracePeriodSeconds < 0 || terminationGracePeriodSeconds < minimumGracePeriodSeconds) {
            throw new IllegalArgumentException("termination grace " + terminationGracePeriodSeconds
                    + " s must be ≥ the minimum " + minimumGracePeriodSeconds + " s (and both ≥ 0)");
        }
    }
}
