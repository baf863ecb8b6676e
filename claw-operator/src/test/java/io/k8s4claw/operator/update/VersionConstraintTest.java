package io.k8s4claw.operator.update;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class VersionConstraintTest {

    /**
     * 1,178 answers of github.com/Masterminds/semver/v3 v3.5.0 — the library k8s4claw reads versionConstraint with —
     * produced by {@code src/test/resources/io/k8s4claw/operator/update/masterminds-table/main.go} ({@code go run .}).
     */
    @Test
    void agreesWithMastermindsSemverOnEveryRowOfItsTable() throws IOException {
        String table;
        try (InputStream in = getClass().getResourceAsStream("masterminds-v3.5.0-constraints.tsv")) {
            table = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        List<String> disagreements = new ArrayList<>();
        int rows = 0;
        for (String line : table.split("\n")) {
            String[] f = line.split("\t");
            boolean expected = Boolean.parseBoolean(f[2]);
            boolean actual =
                    VersionConstraint.parse(f[0]).accepts(SemVer.parse(f[1]).orElseThrow());
            rows++;
            if (actual != expected) {
                disagreements.add(f[0] + " on " + f[1] + ": Masterminds " + expected + ", ours " + actual);
            }
        }
        assertThat(rows).isEqualTo(1178);
        assertThat(disagreements).isEmpty();
    }

    @Test
    void refusesWhatIsNoConstraint() {
        assertThatThrownBy(() -> VersionConstraint.parse("latest"))
                .hasMessageContaining("improper constraint: \"latest\"");
        assertThatThrownBy(() -> VersionConstraint.parse(">= 1.2 <")).hasMessageContaining("improper constraint");
        assertThat(VersionConstraint.problem("^2.0.0")).isEmpty();
    }

    @Test
    void preReleasesOnlyWhenTheConstraintNamesOne() {
        SemVer rc = SemVer.parse("2.1.0-rc.1").orElseThrow();
        assertThat(VersionConstraint.parse("^2.0.0").accepts(rc)).isFalse();
        assertThat(VersionConstraint.parse(">=2.1.0-rc.0").accepts(rc)).isTrue();
        assertThat(VersionConstraint.parse(">=2.1.0-rc.0").allowsPreReleases()).isTrue();
        assertThat(VersionConstraint.parse("^2.0.0").allowsPreReleases()).isFalse();
    }
}
