package io.k8s4claw.api.validation;

import io.k8s4claw.api.v1alpha1.SchemaPatterns;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Go-style durations ({@code 90s}, {@code 10m}, {@code 1h30m}) as the CRD accepts them
 * ({@link SchemaPatterns#DURATION}).
 */
public final class Durations {

    private static final Pattern DURATION = Pattern.compile(SchemaPatterns.DURATION);
    private static final Pattern PART = Pattern.compile("([0-9]+(?:[.][0-9]+)?)(ns|us|ms|s|m|h)");

    private Durations() {}

    public static boolean isDuration(String value) {
        return value != null && DURATION.matcher(value).matches();
    }

    /**
     * Parses a Go duration.
     *
     * @throws IllegalArgumentException when {@code value} is not one
     */
    public static Duration parse(String value) {
        if (!isDuration(value)) {
            throw new IllegalArgumentException("\"" + value + "\" is not a duration such as 90s, 10m or 1h30m");
        }
        BigDecimal nanos = BigDecimal.ZERO;
        Matcher m = PART.matcher(value);
        while (m.find()) {
            BigDecimal n = new BigDecimal(m.group(1));
            long unit = switch (m.group(2)) {
                case "ns" -> 1L;
                case "us" -> 1_000L;
                case "ms" -> 1_000_000L;
                case "s" -> 1_000_000_000L;
                case "m" -> 60_000_000_000L;
                default -> 3_600_000_000_000L;
            };
            nanos = nanos.add(n.multiply(BigDecimal.valueOf(unit)));
        }
        return Duration.ofNanos(nanos.longValue());
    }
}
