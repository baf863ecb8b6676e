package io.k8s4claw.api.retry;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.random.RandomGenerator;

/**
 * Exponential backoff with <em>equal jitter</em>: the delay before attempt {@code n} (1-based) is drawn
 * uniformly from {@code [d/2, d]}, where {@code d = min(max, initial · 2^(n-1))}.
 *
 * <p>Why equal and not full jitter ({@code [0, d]}): full jitter spreads a herd of clients best, but it can
 * draw a delay near zero — an immediate retry against a peer that has just failed or is restarting. Equal
 * jitter keeps at least half of the exponential delay and still de-synchronises many sidecars or bridges
 * restarting together.
 *
 * <p>The one backoff of the project: the bus client and the channels, the bridge's delivery engine and its
 * runtime connectors all draw their delays here.
 *
 * @param initial the delay ceiling of the first attempt; must be positive
 * @param max     the delay ceiling no attempt exceeds; at least {@code initial}
 */
public record Backoff(Duration initial, Duration max) {

    public Backoff {
        Objects.requireNonNull(initial, "initial");
        Objects.requireNonNull(max, "max");
        if (initial.isNegative() || initial.isZero()) {
            throw new IllegalArgumentException("initial backoff must be > 0, got " + initial);
        }
        if (max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("max backoff must be >= initial (" + initial + "), got " + max);
        }
    }

    /** The jittered delay before attempt {@code attempt} (1-based; 0 or less counts as the first). */
    public Duration delay(int attempt) {
        return delay(attempt, ThreadLocalRandom.current());
    }

    /** As {@link #delay(int)}, drawing from {@code random} (tests pass a seeded one). */
    public Duration delay(int attempt, RandomGenerator random) {
        return jitter(ceiling(attempt), random);
    }

    /** The un-jittered exponential delay of attempt {@code attempt}: {@code min(max, initial · 2^(attempt-1))}. */
    public Duration ceiling(int attempt) {
        long initialNanos = initial.toNanos();
        long maxNanos = max.toNanos();
        int doublings = Math.max(0, attempt - 1);
        // shifting further than the leading zeros allow would overflow: the cap is reached long before
        if (doublings >= Long.numberOfLeadingZeros(initialNanos) - 1) {
            return max;
        }
        return Duration.ofNanos(Math.min(maxNanos, initialNanos << doublings));
    }

    /** Equal jitter of one delay: uniformly in {@code [d/2, d]}. */
    public static Duration jitter(Duration delay) {
        return jitter(delay, ThreadLocalRandom.current());
    }

    /** As {@link #jitter(Duration)}, drawing from {@code random}. */
    public static Duration jitter(Duration delay, RandomGenerator random) {
        long nanos = delay.toNanos();
        if (nanos <= 0) {
            return Duration.ZERO;
        }
        long half = nanos / 2;
        return Duration.ofNanos(half + random.nextLong(nanos - half + 1));
    }

    /** A fresh sequence of attempts of this backoff, for a retry loop. */
    public Attempts attempts() {
        return new Attempts(this);
    }

    /**
     * The attempts of one retry loop: {@link #next()} draws the delay of the next attempt, {@link #reset()}
     * starts over after a success. Not thread-safe: one loop owns it.
     */
    public static final class Attempts {
        private final Backoff backoff;
        private int attempt;

        private Attempts(Backoff backoff) {
            this.backoff = backoff;
        }

        /** The jittered delay before the next attempt; each call doubles the ceiling up to {@code max}. */
        public Duration next() {
            if (attempt < Integer.MAX_VALUE) {
                attempt++;
            }
            return backoff.delay(attempt);
        }

        /** After a success: the next delay is the first one again. */
        public void reset() {
            attempt = 0;
        }

        /** Attempts drawn since the last reset. */
        public int count() {
            return attempt;
        }
    }
}
