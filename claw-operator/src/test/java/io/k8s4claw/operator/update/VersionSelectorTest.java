package io.k8s4claw.operator.update;

import static org.assertj.core.api.Assertions.assertThat;

import io.k8s4claw.api.runtime.RuntimeAdapters;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The choice of tag against tag lists in each runtime's real style (the real adapters' release patterns; tags as
 * the projects publish them — claw-operator/docs/auto-update.md, "Which tags"):
 * OpenClaw on ghcr.io ({@code YYYY.M.D}, {@code -beta.N} pre-releases, {@code latest}, {@code main}, {@code sha-…}),
 * Hermes on Docker Hub ({@code vYYYY.M.D}, {@code latest}, {@code main}, newer {@code stable} and {@code X.Y.Z}),
 * ZeroClaw on ghcr.io ({@code vX.Y.Z}, {@code -rc.N}, {@code latest}, {@code edge}).
 */
class VersionSelectorTest {

    /** The release patterns of the real adapters, so the table follows them. */
    static final String OPENCLAW = releasePattern("openclaw");

    static final String HERMES = releasePattern("hermesclaw");
    static final String ZEROCLAW = releasePattern("zeroclaw");

    static String releasePattern(String runtime) {
        return RuntimeAdapters.load().require(runtime).descriptor().image().versionTagPattern();
    }

    static final List<String> OPENCLAW_TAGS = List.of(
            "latest",
            "main",
            "sha-3f9c2ab",
            "2026.8.28",
            "2026.9.1",
            "2026.9.6",
            "2026.9.6-beta.1",
            "2026.9.10-beta.2",
            "2026.9.9",
            "2026.10.1-beta.1",
            "2026.8.30",
            "2026.9.10-beta.10");
    static final List<String> HERMES_TAGS = List.of(
            "latest",
            "main",
            "stable",
            "v2026.7.30",
            "v2026.8.5",
            "v2026.8.19",
            "v2026.8.26",
            "v2026.9.2",
            "0.18.0",
            "0.19.0",
            "v2026.10.1-rc.1");
    static final List<String> ZEROCLAW_TAGS = List.of(
            "latest",
            "edge",
            "v0.7.9",
            "v0.8.0",
            "v0.8.1",
            "v0.8.2",
            "v0.9.0-rc.1",
            "v0.9.0-rc.2",
            "v0.10.0",
            "v1.0.0-rc.1",
            "0.8.3",
            "v0.8.10");

    static List<Arguments> table() {
        return List.of(
                // runtime pattern, tags, running, constraint, blocked, expected
                Arguments.of(OPENCLAW, OPENCLAW_TAGS, "2026.9.6", null, Set.of(), "2026.9.9"),
                Arguments.of(OPENCLAW, OPENCLAW_TAGS, "2026.9.6", "~2026.9", Set.of(), "2026.9.9"),
                Arguments.of(OPENCLAW, OPENCLAW_TAGS, "2026.9.6", "~2026.9", Set.of("2026.9.9"), null),
                Arguments.of(OPENCLAW, OPENCLAW_TAGS, "2026.9.6", ">=2026.9.10-beta.0", Set.of(), "2026.10.1-beta.1"),
                Arguments.of(
                        OPENCLAW,
                        OPENCLAW_TAGS,
                        "2026.9.6",
                        ">=2026.9.10-beta.0 <2026.10.0",
                        Set.of(),
                        "2026.9.10-beta.10"),
                Arguments.of(OPENCLAW, OPENCLAW_TAGS, "2026.9.9", null, Set.of(), null),
                Arguments.of(HERMES, HERMES_TAGS, "v2026.8.19", null, Set.of(), "v2026.9.2"),
                Arguments.of(HERMES, HERMES_TAGS, "v2026.8.19", "<2026.9.0", Set.of(), "v2026.8.26"),
                Arguments.of(HERMES, HERMES_TAGS, "v2026.8.19", "^2026.8.0", Set.of("v2026.9.2"), "v2026.8.26"),
                Arguments.of(HERMES, HERMES_TAGS, "v2026.9.2", null, Set.of(), null),
                Arguments.of(ZEROCLAW, ZEROCLAW_TAGS, "v0.8.1", null, Set.of(), "v0.10.0"),
                Arguments.of(ZEROCLAW, ZEROCLAW_TAGS, "v0.8.1", "^0.8.1", Set.of(), "v0.8.10"),
                Arguments.of(ZEROCLAW, ZEROCLAW_TAGS, "v0.8.1", "~0.8", Set.of("v0.8.10"), "v0.8.2"),
                Arguments.of(ZEROCLAW, ZEROCLAW_TAGS, "v0.8.1", ">=0.9.0-rc.0 <0.10.0", Set.of(), "v0.9.0-rc.2"),
                Arguments.of(ZEROCLAW, ZEROCLAW_TAGS, "v0.8.1", "^1.0.0", Set.of(), null),
                Arguments.of(ZEROCLAW, ZEROCLAW_TAGS, "v0.10.0", null, Set.of(), null));
    }

    @ParameterizedTest(name = "{0} running {2} constraint {3} blocked {4} -> {5}")
    @MethodSource("table")
    void picksTheHighestAcceptableReleaseAboveTheRunningOne(
            String pattern,
            List<String> tags,
            String running,
            String constraint,
            Set<String> blocked,
            String expected) {
        VersionSelector selector = new VersionSelector(
                Pattern.compile(pattern), Optional.ofNullable(constraint).map(VersionConstraint::parse));
        assertThat(selector.select(tags, running, blocked).map(SemVer::tag)).isEqualTo(Optional.ofNullable(expected));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("table")
    void neverChoosesAMovingOrForeignTag(
            String pattern,
            List<String> tags,
            String running,
            String constraint,
            Set<String> blocked,
            String expected) {
        VersionSelector selector = new VersionSelector(
                Pattern.compile(pattern), Optional.ofNullable(constraint).map(VersionConstraint::parse));
        assertThat(selector.candidates(tags, "0.0.0", Set.of()))
                .extracting(SemVer::tag)
                .doesNotContain("latest", "main", "stable", "edge", "sha-3f9c2ab")
                .allMatch(t -> Pattern.compile(pattern)
                        .matcher(t.replaceFirst("-.*", ""))
                        .matches());
    }

    @Test
    void semverOrderingIsNotStringOrdering() {
        List<String> sorted = List.of(
                        "v0.8.10",
                        "v0.8.2",
                        "v0.10.0",
                        "v0.9.0-rc.10",
                        "v0.9.0-rc.2",
                        "v0.9.0",
                        "v0.9.0-alpha",
                        "v0.9.0-rc.2.1")
                .stream()
                .map(t -> SemVer.parse(t).orElseThrow())
                .sorted()
                .map(SemVer::tag)
                .toList();
        assertThat(sorted)
                .containsExactly(
                        "v0.8.2",
                        "v0.8.10",
                        "v0.9.0-alpha",
                        "v0.9.0-rc.2",
                        "v0.9.0-rc.2.1",
                        "v0.9.0-rc.10",
                        "v0.9.0",
                        "v0.10.0");
        assertThat(SemVer.parse("latest")).isEmpty();
        assertThat(SemVer.parse("1.2")).isEmpty();
        assertThat(SemVer.parse("sha256:abc")).isEmpty();
        assertThat(SemVer.parse("01.2.3")).isEmpty();
    }
}
