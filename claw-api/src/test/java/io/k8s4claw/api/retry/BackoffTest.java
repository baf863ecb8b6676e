package io.k8s4claw.api.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.SplittableRandom;
import java.util.function.LongUnaryOperator;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

class BackoffTest {

    private final Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(10));

    @Test
    void ceilingDoublesPerAttemptUpToTheMax() {
        assertThat(backoff.ceiling(0)).isEqualTo(Duration.ofMillis(100));
        assertThat(backoff.ceiling(1)).isEqualTo(Duration.ofMillis(100));
        assertThat(backoff.ceiling(2)).isEqualTo(Duration.ofMillis(200));
        assertThat(backoff.ceiling(3)).isEqualTo(Duration.ofMillis(400));
        assertThat(backoff.ceiling(7)).isEqualTo(Duration.ofMillis(6_400));
        assertThat(backoff.ceiling(8)).isEqualTo(Duration.ofSeconds(10));
        // no overflow however many attempts
        assertThat(backoff.ceiling(40)).isEqualTo(Duration.ofSeconds(10));
        assertThat(backoff.ceiling(64)).isEqualTo(Duration.ofSeconds(10));
        assertThat(backoff.ceiling(Integer.MAX_VALUE)).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void equalJitterStaysInTheUpperHalfAndCoversIt() {
        RandomGenerator random = new SplittableRandom(42);
        Duration min = Duration.ofDays(1);
        Duration max = Duration.ZERO;
        for (int i = 0; i < 10_000; i++) {
            Duration d = backoff.delay(3, random);
            assertThat(d).isBetween(Duration.ofMillis(200), Duration.ofMillis(400));
            min = d.compareTo(min) < 0 ? d : min;
            max = d.compareTo(max) > 0 ? d : max;
        }
        // drawn across the whole upper half, not a constant: within 1% of both ends
        assertThat(min).isLessThan(Duration.ofMillis(202));
        assertThat(max).isGreaterThan(Duration.ofMillis(398));
    }

    @Test
    void theBoundsOfTheJitterAreReachable() {
        assertThat(Backoff.jitter(Duration.ofMillis(400), drawing(bound -> 0))).isEqualTo(Duration.ofMillis(200));
        assertThat(Backoff.jitter(Duration.ofMillis(400), drawing(bound -> bound - 1)))
                .isEqualTo(Duration.ofMillis(400));
        assertThat(Backoff.jitter(Duration.ZERO, drawing(bound -> bound - 1))).isEqualTo(Duration.ZERO);
    }

    @Test
    void attemptsDoubleAndResetAfterASuccess() {
        Backoff.Attempts attempts = new Backoff(Duration.ofMillis(100), Duration.ofMillis(400)).attempts();
        assertThat(attempts.next()).isBetween(Duration.ofMillis(50), Duration.ofMillis(100));
        assertThat(attempts.next()).isBetween(Duration.ofMillis(100), Duration.ofMillis(200));
        assertThat(attempts.next()).isBetween(Duration.ofMillis(200), Duration.ofMillis(400));
        assertThat(attempts.next()).isBetween(Duration.ofMillis(200), Duration.ofMillis(400));
        assertThat(attempts.count()).isEqualTo(4);
        attempts.reset();
        assertThat(attempts.count()).isZero();
        assertThat(attempts.next()).isBetween(Duration.ofMillis(50), Duration.ofMillis(100));
    }

    @Test
    void rejectsANonPositiveInitialOrAMaxBelowIt() {
        assertThatThrownBy(() -> new Backoff(Duration.ZERO, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("initial backoff must be > 0");
        assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("max backoff must be >= initial");
    }

    /** A generator whose bounded draw is {@code draw(bound)}: the edges of the range on demand. */
    private static RandomGenerator drawing(LongUnaryOperator draw) {
        return new RandomGenerator() {
            @Override
            public long nextLong() {
                throw new UnsupportedOperationException("only bounded draws are expected");
            }

            @Override
            public long nextLong(long bound) {
                return draw.applyAsLong(bound);
            }
        };
    }
}
