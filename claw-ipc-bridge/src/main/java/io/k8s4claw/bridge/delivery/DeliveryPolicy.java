package io.k8s4claw.bridge.delivery;

import io.k8s4claw.api.retry.Backoff;
import java.time.Duration;

/**
 * How the engine delivers: bounded concurrency across conversations, exponential backoff with equal jitter
 * ({@link Backoff}) on retryable failures, and when to give up (dead-letter).
 *
 * @param maxConcurrentRuns runs in progress at once across all conversations ({@code CLAW_MAX_CONCURRENT_RUNS};
 *                          Hermes's own cap is 10)
 * @param retryBase         first retry delay; doubles per attempt
 * @param retryMax          cap of the retry delay
 * @param deadLetterAfter   a message not accepted by the runtime this long after it was accepted from the
 *                          channel is dead-lettered
 * @param maxAttempts       … or after this many failed attempts
 */
public record DeliveryPolicy(
        int maxConcurrentRuns, Duration retryBase, Duration retryMax, Duration deadLetterAfter, int maxAttempts) {

    public DeliveryPolicy {
        if (maxConcurrentRuns < 1) {
            throw new IllegalArgumentException("CLAW_MAX_CONCURRENT_RUNS must be at least 1, got " + maxConcurrentRuns);
        }
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("max delivery attempts must be at least 1, got " + maxAttempts);
        }
        try {
            new Backoff(retryBase, retryMax); // the parameters: the fields are assigned after this body
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("CLAW_BRIDGE_RETRY_BASE / CLAW_BRIDGE_RETRY_MAX: " + e.getMessage(), e);
        }
    }

    public static DeliveryPolicy defaults() {
        return new DeliveryPolicy(10, Duration.ofMillis(250), Duration.ofSeconds(30), Duration.ofHours(1), 10_000);
    }

    /** The retry delays: {@code retryBase} doubling up to {@code retryMax}. */
    public Backoff retryBackoff() {
        return new Backoff(retryBase, retryMax);
    }

    /** Delay before attempt {@code attempt + 1}: the backoff's equal-jitter delay, at least the runtime's hint. */
    public Duration backoff(int attempt, Duration retryAfter) {
        Duration jittered = retryBackoff().delay(attempt);
        if (retryAfter == null) {
            return jittered;
        }
        Duration hint = retryAfter.compareTo(retryMax.multipliedBy(4)) > 0 ? retryMax.multipliedBy(4) : retryAfter;
        return hint.compareTo(jittered) > 0 ? hint : jittered;
    }
}
