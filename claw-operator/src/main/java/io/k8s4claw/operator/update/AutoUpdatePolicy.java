package io.k8s4claw.operator.update;

import java.time.Duration;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * {@code spec.autoUpdate} with its defaults applied and parsed, plus what the Claw's image says.
 *
 * @param image          the repository whose tags are listed
 * @param baseline       the tag the spec names (spec.image.tag, else the adapter's pinned tag): where updates start
 * @param fingerprint    {@code <image hash>-<autoUpdate hash>}: a change of the first restarts from the baseline, of
 *                       either closes every circuit
 */
public record AutoUpdatePolicy(
        ImageReference image,
        String baseline,
        VersionSelector selector,
        CronSchedule schedule,
        Duration healthTimeout,
        int maxRollbacks,
        String fingerprint) {

    public static final String DEFAULT_SCHEDULE = "0 3 * * *";
    public static final Duration DEFAULT_HEALTH_TIMEOUT = Duration.ofMinutes(10);
    public static final int DEFAULT_MAX_ROLLBACKS = 3;

    public static AutoUpdatePolicy of(
            ImageReference image,
            String baseline,
            Pattern releaseTagPattern,
            String constraint,
            String schedule,
            Duration healthTimeout,
            Integer maxRollbacks,
            String fingerprint) {
        return new AutoUpdatePolicy(
                image,
                baseline,
                new VersionSelector(
                        releaseTagPattern,
                        constraint == null || constraint.isBlank()
                                ? Optional.empty()
                                : Optional.of(VersionConstraint.parse(constraint))),
                CronSchedule.parse(schedule == null ? DEFAULT_SCHEDULE : schedule),
                healthTimeout == null ? DEFAULT_HEALTH_TIMEOUT : healthTimeout,
                maxRollbacks == null ? DEFAULT_MAX_ROLLBACKS : maxRollbacks,
                fingerprint);
    }

    /** The image part of the fingerprint. */
    public String imageFingerprint() {
        int dash = fingerprint.indexOf('-');
        return dash < 0 ? fingerprint : fingerprint.substring(0, dash);
    }
}
