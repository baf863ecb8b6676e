package io.k8s4claw.api.validation;

import java.util.Collection;
import java.util.Locale;
import java.util.Optional;

/** "Did you mean ...?" for misspelt field names and enum values. */
final class Suggestions {

    private Suggestions() {}

    /** The candidate closest to {@code value} (case-insensitive edit distance ≤ 2, or a prefix of ≥ 3 letters). */
    static Optional<String> closest(String value, Collection<String> candidates) {
        String v = value.toLowerCase(Locale.ROOT);
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String c : candidates) {
            String lc = c.toLowerCase(Locale.ROOT);
            int d = lc.equals(v) ? 0 : distance(v, lc);
            if (d < bestDistance) {
                bestDistance = d;
                best = c;
            }
        }
        if (best != null && bestDistance <= 2) {
            return Optional.of(best);
        }
        if (v.length() >= 3) {
            for (String c : candidates) {
                String lc = c.toLowerCase(Locale.ROOT);
                if (lc.startsWith(v) || v.startsWith(lc)) {
                    return Optional.of(c);
                }
            }
        }
        return Optional.empty();
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
