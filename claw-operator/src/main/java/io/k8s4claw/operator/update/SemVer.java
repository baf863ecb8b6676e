package io.k8s4claw.operator.update;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A release version read from an image tag, ordered as Semantic Versioning 2.0.0 §11 orders them: major, minor,
 * patch numerically; a pre-release below its release; pre-release identifiers compared one by one (numeric ones
 * numerically and below alphanumeric ones, a shorter list below a longer one with the same start); build metadata
 * ignored. A leading {@code v} is allowed (ZeroClaw's {@code v0.8.1}, Hermes's {@code v2026.8.19}); so is a
 * calendar version with unpadded parts (OpenClaw's {@code 2026.9.6}), which is valid semver as it stands.
 *
 * <p>Only full {@code X.Y.Z} tags parse: {@code latest}, {@code main}, {@code stable}, {@code 1.2}, {@code sha-…}
 * and digests are moving or partial names, never versions.
 *
 * @param tag        the tag as the registry lists it
 * @param preRelease the dot-separated pre-release identifiers; empty for a release
 */
public record SemVer(String tag, long major, long minor, long patch, List<String> preRelease)
        implements Comparable<SemVer> {

    private static final Pattern TAG = Pattern.compile("v?(0|[1-9]\\d{0,17})\\.(0|[1-9]\\d{0,17})\\.(0|[1-9]\\d{0,17})"
            + "(?:-((?:0|[1-9]\\d*|\\d*[A-Za-z-][0-9A-Za-z-]*)(?:\\.(?:0|[1-9]\\d*|\\d*[A-Za-z-][0-9A-Za-z-]*))*))?"
            + "(?:\\+[0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*)?");

    public SemVer {
        preRelease = List.copyOf(preRelease);
    }

    /** The version a tag names, or empty when the tag is not a full semantic version. */
    public static Optional<SemVer> parse(String tag) {
        if (tag == null) {
            return Optional.empty();
        }
        Matcher m = TAG.matcher(tag);
        if (!m.matches()) {
            return Optional.empty();
        }
        List<String> pre = m.group(4) == null ? List.of() : List.of(m.group(4).split("\\."));
        return Optional.of(new SemVer(
                tag, Long.parseLong(m.group(1)), Long.parseLong(m.group(2)), Long.parseLong(m.group(3)), pre));
    }

    public boolean isPreRelease() {
        return !preRelease.isEmpty();
    }

    /** Same major.minor.patch (a pre-release and its release share it). */
    public boolean sameCore(SemVer other) {
        return major == other.major && minor == other.minor && patch == other.patch;
    }

    @Override
    public int compareTo(SemVer o) {
        int c = Long.compare(major, o.major);
        if (c == 0) {
            c = Long.compare(minor, o.minor);
        }
        if (c == 0) {
            c = Long.compare(patch, o.patch);
        }
        if (c != 0) {
            return c;
        }
        if (preRelease.isEmpty() || o.preRelease.isEmpty()) {
            return Boolean.compare(preRelease.isEmpty(), o.preRelease.isEmpty());
        }
        for (int i = 0; i < Math.min(preRelease.size(), o.preRelease.size()); i++) {
            c = compareIdentifier(preRelease.get(i), o.preRelease.get(i));
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(preRelease.size(), o.preRelease.size());
    }

    private static int compareIdentifier(String a, String b) {
        boolean an = a.chars().allMatch(Character::isDigit);
        boolean bn = b.chars().allMatch(Character::isDigit);
        if (an && bn) {
            return a.length() != b.length() ? Integer.compare(a.length(), b.length()) : a.compareTo(b);
        }
        if (an != bn) {
            return an ? -1 : 1;
        }
        return a.compareTo(b);
    }

    /** {@code major.minor.patch[-pre]} without the tag's {@code v} or build metadata. */
    public String canonical() {
        List<String> parts = new ArrayList<>(List.of(major + "." + minor + "." + patch));
        return parts.get(0) + (preRelease.isEmpty() ? "" : "-" + String.join(".", preRelease));
    }

    @Override
    public String toString() {
        return tag;
    }
}
