package io.k8s4claw.operator.update;

import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Which tag to update to: among the tags the registry lists, the highest semantic version that the runtime calls a
 * release ({@code releaseTagPattern}, from the adapter's {@code ImagePolicy}: Hermes's {@code vYYYY.M.D} and not its
 * {@code X.Y.Z} line, OpenClaw's {@code YYYY.M.D}, ZeroClaw's {@code vX.Y.Z}), that the constraint accepts, that is
 * above the running version and not blocked by an open circuit. Moving tags ({@code latest}, {@code main},
 * {@code stable}, {@code sha-…}) are not semantic versions and are never chosen, whatever the pattern says.
 *
 * @param releaseTagPattern regular expression a release tag matches as a whole
 * @param constraint        the spec's constraint; empty accepts every release (pre-releases excluded)
 */
public record VersionSelector(Pattern releaseTagPattern, Optional<VersionConstraint> constraint) {

    /** The candidates, best first. */
    public List<SemVer> candidates(Collection<String> tags, String running, Set<String> blocked) {
        Optional<SemVer> current = SemVer.parse(running);
        return tags.stream()
                .map(SemVer::parse)
                .flatMap(Optional::stream)
                .filter(this::acceptable)
                .filter(v -> current.map(c -> v.compareTo(c) > 0).orElse(true))
                .filter(v -> !blocked.contains(v.tag()))
                .sorted(Comparator.reverseOrder())
                .toList();
    }

    /** The best candidate, if any. */
    public Optional<SemVer> select(Collection<String> tags, String running, Set<String> blocked) {
        return candidates(tags, running, blocked).stream().findFirst();
    }

    /** The newest acceptable version, blocked or not (what status.availableVersion reports). */
    public Optional<SemVer> newest(Collection<String> tags) {
        return tags.stream()
                .map(SemVer::parse)
                .flatMap(Optional::stream)
                .filter(this::acceptable)
                .max(Comparator.naturalOrder());
    }

    /**
     * A release of the runtime (its tag without pre-release and build suffix matches the pattern: the pattern names
     * the release line, pre-releases of it come in only through the constraint) that the constraint accepts.
     */
    boolean acceptable(SemVer v) {
        String tag = v.tag();
        int suffix = indexOfSuffix(tag);
        if (!releaseTagPattern.matcher(tag.substring(0, suffix)).matches()) {
            return false;
        }
        return constraint.map(c -> c.accepts(v)).orElse(!v.isPreRelease());
    }

    private static int indexOfSuffix(String tag) {
        for (int i = 0; i < tag.length(); i++) {
            if (tag.charAt(i) == '-' || tag.charAt(i) == '+') {
                return i;
            }
        }
        return tag.length();
    }
}
