package io.k8s4claw.bridge.delivery;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * How the engine delivers: bounded concurrency across conversations, jittered exponential backoff on
 * retryable failures, and when to give up (dead-letter).
 *
 * @param maxConcurrentRuns runs in progress at once across all conversations ({@code CLAW_MAX_CONCURRENT_RUNS};
 *                          Hermes's own cap is 10)
 * @param retryBase         first retry delay; doubles per attempt
 * @param retryMax          cap of the retry delay
 * @param deadLetterAfter   a message not accepted by the runtime this long after it was accepted from the
 *                          channel is dead-lettered
 * @param maxAttempts       … or after this many failed attempts
 */
public record DeliveryPolicy(int maxConcurrentRuns, Duration retryBase, Duration retryMax, Duration deadLetterAfter,
        int maxAttempts) {

    public DeliveryPolicy {
        if (maxConcurrentRuns < 1) {
            throw new IllegalArgumentException("CLAW_MAX_CONCURRENT_RUNS must be at least 1, got " + maxConcurrentRuns);
        }
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("max delivery attempts must be at least 1, got " + maxAttempts);
        }
    }

    public static DeliveryPolicy defaults() {
        return new DeliveryPolicy(10, Duration.ofMillis(250), Duration.ofSeconds(30), Duration.ofHours(1), 10_000);
    }

    /** Delay before attempt {@code attempt + 1}: full-jitter exponential, at least the runtime's hint. */
    public Duration backoff(int attempt, Duration retryAfter) {
        long base = retryBase.toMillis();
        long ceiling = retryMax.toMillis();
        long exp = attempt >= 30 ? ceiling : Math.min(ceiling, base << Math.max(0, attempt - 1));
        long jittered = exp / 2 + ThreadLocalRandom.current().nextLong(exp / 2 + 1);
        long hint = retryAfter == null ? 0 : Math.min(retryAfter.toMillis(), ceiling * 4);
        return Duration.ofMillis(Math.max(jittered, hint));
    }
}
