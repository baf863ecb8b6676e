package io.k8s4claw.api.validation;

import io.k8s4claw.api.v1alpha1.SchemaPatterns;
import java.math.BigDecimal;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Storage quantities as the CRD accepts them ({@link SchemaPatterns#QUANTITY}): parsing to bytes for comparisons
 * (shrink, maxSize) and suggestions for near misses such as {@code "5 Gb"}.
 */
public final class Quantities {

    private static final Pattern QUANTITY = Pattern.compile(SchemaPatterns.QUANTITY);
    private static final Pattern NEAR_MISS = Pattern.compile("^\\s*([0-9]+(?:[.][0-9]+)?)\\s*([A-Za-z]*)\\s*$");

    private Quantities() {}

    public static boolean isQuantity(String value) {
        return value != null && QUANTITY.matcher(value).matches();
    }

    /**
     * The quantity in bytes.
     *
     * @throws IllegalArgumentException when {@code value} is not a quantity
     */
    public static BigDecimal toBytes(String value) {
        if (!isQuantity(value)) {
            throw new IllegalArgumentException("\"" + value + "\" is not a Kubernetes quantity");
        }
        int i = 0;
        while (i < value.length() && (Character.isDigit(value.charAt(i)) || value.charAt(i) == '.')) {
            i++;
        }
        BigDecimal number = new BigDecimal(value.substring(0, i));
        return number.multiply(multiplier(value.substring(i)));
    }

    /** Compares two quantities by size; both must be {@linkplain #isQuantity(String) quantities}. */
    public static int compare(String a, String b) {
        return toBytes(a).compareTo(toBytes(b));
    }

    private static BigDecimal multiplier(String suffix) {
        return switch (suffix) {
            case "" -> BigDecimal.ONE;
            case "Ki" -> BigDecimal.valueOf(2).pow(10);
            case "Mi" -> BigDecimal.valueOf(2).pow(20);
            case "Gi" -> BigDecimal.valueOf(2).pow(30);
            case "Ti" -> BigDecimal.valueOf(2).pow(40);
            case "Pi" -> BigDecimal.valueOf(2).pow(50);
            case "Ei" -> BigDecimal.valueOf(2).pow(60);
            case "k" -> BigDecimal.TEN.pow(3);
            case "M" -> BigDecimal.TEN.pow(6);
            case "G" -> BigDecimal.TEN.pow(9);
            case "T" -> BigDecimal.TEN.pow(12);
            case "P" -> BigDecimal.TEN.pow(15);
            case "E" -> BigDecimal.TEN.pow(18);
            default -> throw new IllegalArgumentException("unknown quantity suffix " + suffix);
        };
    }

    /**
     * What the user probably meant: {@code "5 Gb"}, {@code "5GB"}, {@code "5gib"} become {@code 5Gi}. People who write
     * "GB" for a disk almost always mean the binary unit that {@code df} and Kubernetes' own examples use.
     */
    public static Optional<String> suggest(String value) {
        if (value == null) {
            return Optional.empty();
        }
        Matcher m = NEAR_MISS.matcher(value);
        if (!m.matches()) {
            return Optional.empty();
        }
        String unit = switch (m.group(2).toLowerCase(Locale.ROOT)) {
            case "" -> "";
            case "k", "kb", "ki", "kib" -> "Ki";
            case "m", "mb", "mi", "mib" -> "Mi";
            case "g", "gb", "gi", "gib" -> "Gi";
            case "t", "tb", "ti", "tib" -> "Ti";
            case "p", "pb", "pi", "pib" -> "Pi";
            case "e", "eb", "ei", "eib" -> "Ei";
            default -> null;
        };
        if (unit == null) {
            return Optional.empty();
        }
        String candidate = m.group(1) + unit;
        return isQuantity(candidate) && !candidate.equals(value) ? Optional.of(candidate) : Optional.empty();
    }
}
