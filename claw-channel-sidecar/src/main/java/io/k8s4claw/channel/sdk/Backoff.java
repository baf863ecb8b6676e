package io.k8s4claw.channel.sdk;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential backoff with "full jitter" (a random delay in [base/2, base]) so many sidecars restarting
 * together do not reconnect in lock-step.
 */
public record Backoff(Duration initial, Duration max) {
    public Backoff {
        if (initial.isNegative() || initial.isZero()) throw new IllegalArgumentException("initial backoff must be > 0");
        if (max.compareTo(initial) < 0) throw new IllegalArgumentException("max backoff must be >= initial");
    }

    /** The delay before attempt {@code attempt} (1-based). */
    public Duration delay(int attempt) {
        long base = initial.toMillis();
        long cap = max.toMillis();
        long exp = attempt >= 31 ? cap : Math.min(cap, base << Math.max(0, attempt - 1));
        long half = Math.max(1, exp / 2);
        return Duration.ofMillis(half + ThreadLocalRandom.current().nextLong(exp - half + 1));
    }
}
