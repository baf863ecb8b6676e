package io.k8s4claw.operator.update;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code spec.autoUpdate.versionConstraint}: a semver range in the syntax k8s4claw (Go) reads with
 * {@code github.com/Masterminds/semver/v3}, with the same meaning — so a Claw moved between the two operators picks
 * the same versions. Groups joined by {@code ||}; inside a group comparators joined by spaces or commas, all of which
 * must hold; {@code a - b} is {@code >= a, <= b}; operators {@code = != > < >= <= ~ ~> ^} (none means {@code =});
 * {@code x}, {@code X}, {@code *} or a missing part is a wildcard ({@code 1.2} is {@code 1.2.x}).
 *
 * <p>Pre-releases: a version with a pre-release ({@code 2.1.0-rc.1}) is only ever accepted by a group that names a
 * pre-release itself ({@code >=2.1.0-rc.0}) — pre-releases are opt-in, never picked up by {@code ^2.0.0}.
 *
 * <p>Ported clause by clause from Masterminds/semver v3.5.0 {@code constraints.go}; {@code VersionConstraintTest}
 * checks the port against a table that library produced.
 */
public final class VersionConstraint {

    private static final String CV = "v?([0-9|xX*]+)(\\.[0-9|xX*]+)?(\\.[0-9|xX*]+)?"
            + "(-([0-9A-Za-z\\-]+(\\.[0-9A-Za-z\\-]+)*))?"
            + "(\\+([0-9A-Za-z\\-]+(\\.[0-9A-Za-z\\-]+)*))?";
    private static final String OPS = "=|!=|>|<|>=|=>|<=|=<|~|~>|\\^|";
    private static final Pattern CONSTRAINT = Pattern.compile("^\\s*(" + OPS + ")\\s*(" + CV + ")\\s*$");
    private static final Pattern RANGE = Pattern.compile("\\s*(" + CV + ")\\s+-\\s+(" + CV + ")\\s*");
    private static final Pattern FIND = Pattern.compile("(" + OPS + ")\\s*(" + CV + ")");
    private static final Pattern VALID = Pattern.compile(
            "^(\\s*(" + OPS + ")\\s*(" + CV + ")\\s*)((?:\\s+|,\\s*)(" + OPS + ")\\s*(" + CV + ")\\s*)*$");
    private static final int MAX_LENGTH = 1024;

    private record Comparator(
            String op, String orig, SemVer con, boolean dirty, boolean minorDirty, boolean patchDirty) {}

    private record Group(List<Comparator> comparators, boolean namesPreRelease) {}

    private final String text;
    private final List<Group> groups;

    private VersionConstraint(String text, List<Group> groups) {
        this.text = text;
        this.groups = groups;
    }

    /** The constraint text as the spec has it. */
    public String text() {
        return text;
    }

    /**
     * Parses a constraint.
     *
     * @throws IllegalArgumentException naming the part that is not a constraint
     */
    public static VersionConstraint parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("no version constraint");
        }
        if (text.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("a version constraint is at most " + MAX_LENGTH + " characters");
        }
        String rewritten = rewriteRanges(text);
        List<Group> groups = new ArrayList<>();
        for (String or : rewritten.split("\\|\\|", -1)) {
            if (!VALID.matcher(or).matches()) {
                throw new IllegalArgumentException("improper constraint: \"" + or + "\"");
            }
            List<String> parts = new ArrayList<>();
            Matcher m = FIND.matcher(or);
            while (m.find()) {
                parts.add(m.group());
            }
            if (parts.isEmpty()) {
                parts.add(or);
            }
            List<Comparator> comparators = new ArrayList<>();
            boolean pre = false;
            for (String part : parts) {
                Comparator c = comparator(part);
                pre |= c.con().isPreRelease();
                comparators.add(c);
            }
            groups.add(new Group(List.copyOf(comparators), pre));
        }
        return new VersionConstraint(text, List.copyOf(groups));
    }

    /** Whether the version satisfies one of the groups. */
    public boolean accepts(SemVer v) {
        for (Group g : groups) {
            if (g.comparators().stream().allMatch(c -> check(v, c, g.namesPreRelease()))) {
                return true;
            }
        }
        return false;
    }

    /** Whether some group names a pre-release (only such a group lets pre-releases through). */
    public boolean allowsPreReleases() {
        return groups.stream().anyMatch(Group::namesPreRelease);
    }

    private static String rewriteRanges(String text) {
        Matcher m = RANGE.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(out, Matcher.quoteReplacement(">= " + m.group(1) + ", <= " + m.group(11) + " "));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static boolean isX(String s) {
        return "x".equals(s) || "X".equals(s) || "*".equals(s);
    }

    private static Comparator comparator(String part) {
        if (part.isEmpty()) {
            return new Comparator("", "", version("0.0.0"), true, false, false);
        }
        Matcher m = CONSTRAINT.matcher(part);
        if (!m.matches()) {
            throw new IllegalArgumentException("improper constraint: \"" + part + "\"");
        }
        String op = m.group(1);
        String orig = m.group(2);
        String major = m.group(3);
        String minor = m.group(4) == null ? "" : m.group(4);
        String patch = m.group(5) == null ? "" : m.group(5);
        String pre = m.group(6) == null ? "" : m.group(6);
        boolean dirty = false;
        boolean minorDirty = false;
        boolean patchDirty = false;
        String ver;
        if (isX(major) || major.isEmpty()) {
            ver = "0.0.0" + pre;
            dirty = true;
        } else if (isX(minor.replaceFirst("^\\.", "")) || minor.isEmpty()) {
            minorDirty = true;
            dirty = true;
            ver = major + ".0.0" + pre;
        } else if (isX(patch.replaceFirst("^\\.", "")) || patch.isEmpty()) {
            dirty = true;
            patchDirty = true;
            ver = major + minor + ".0" + pre;
        } else {
            ver = major + minor + patch + pre;
        }
        return new Comparator(op, orig, version(ver), dirty, minorDirty, patchDirty);
    }

    private static SemVer version(String v) {
        // Masterminds reads "01" as 1 in a constraint; so do we.
        String normalised = v.replaceAll("(^|\\.)0+(\\d)", "$1$2");
        return SemVer.parse(normalised)
                .orElseThrow(() -> new IllegalArgumentException("improper version in constraint: \"" + v + "\""));
    }

    private static boolean check(SemVer v, Comparator c, boolean includePre) {
        if (v.isPreRelease() && !includePre) {
            return false;
        }
        return switch (c.op()) {
            case "", "=" -> c.dirty() ? tilde(v, c) : v.compareTo(c.con()) == 0;
            case "!=" -> notEqual(v, c);
            case ">" -> greaterThan(v, c);
            case "<" -> v.compareTo(c.con()) < 0;
            case ">=", "=>" -> v.compareTo(c.con()) >= 0;
            case "<=", "=<" -> lessThanEqual(v, c);
            case "~", "~>" -> tilde(v, c);
            case "^" -> caret(v, c);
            default -> throw new IllegalStateException("operator " + c.op());
        };
    }

    private static boolean notEqual(SemVer v, Comparator c) {
        if (c.dirty()) {
            if (c.con().major() != v.major()) {
                return true;
            }
            if (c.con().minor() != v.minor() && !c.minorDirty()) {
                return true;
            } else if (c.minorDirty()) {
                return false;
            } else if (c.con().patch() != v.patch() && !c.patchDirty()) {
                return true;
            } else if (c.patchDirty()) {
                if (v.isPreRelease() || c.con().isPreRelease()) {
                    return !v.preRelease().equals(c.con().preRelease());
                }
                return false;
            }
        }
        return v.compareTo(c.con()) != 0;
    }

    private static boolean greaterThan(SemVer v, Comparator c) {
        if (!c.dirty()) {
            return v.compareTo(c.con()) > 0;
        }
        if (v.major() > c.con().major()) {
            return true;
        } else if (v.major() < c.con().major()) {
            return false;
        } else if (c.minorDirty()) {
            return false;
        } else if (c.patchDirty()) {
            return v.minor() > c.con().minor();
        }
        return v.compareTo(c.con()) > 0;
    }

    private static boolean lessThanEqual(SemVer v, Comparator c) {
        if (!c.dirty()) {
            return v.compareTo(c.con()) <= 0;
        }
        if (v.major() > c.con().major()) {
            return false;
        }
        return !(v.major() == c.con().major() && v.minor() > c.con().minor() && !c.minorDirty());
    }

    private static boolean tilde(SemVer v, Comparator c) {
        if (v.compareTo(c.con()) < 0) {
            return false;
        }
        if (c.con().major() == 0
                && c.con().minor() == 0
                && c.con().patch() == 0
                && !c.minorDirty()
                && !c.patchDirty()) {
            return true;
        }
        if (v.major() != c.con().major()) {
            return false;
        }
        return v.minor() == c.con().minor() || c.minorDirty();
    }

    private static boolean caret(SemVer v, Comparator c) {
        if (v.compareTo(c.con()) < 0) {
            return false;
        }
        if (c.con().major() > 0 || c.minorDirty()) {
            return v.major() == c.con().major();
        }
        if (v.major() > 0) {
            return false;
        }
        if (c.con().minor() > 0 || c.patchDirty()) {
            return v.minor() == c.con().minor();
        }
        if (v.minor() > 0) {
            return false;
        }
        return c.con().patch() == v.patch();
    }

    /** Accepted by the parser (for validation messages). */
    public static Optional<String> problem(String text) {
        try {
            parse(text);
            return Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.of(e.getMessage());
        }
    }

    @Override
    public String toString() {
        return text;
    }
}
