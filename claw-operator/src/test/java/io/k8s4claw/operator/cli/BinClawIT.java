package io.k8s4claw.operator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.k8s4claw.operator.install.RepoRoot;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The README's main-job command through the real {@code bin/claw} script and the shaded jar this build just
 * packaged (failsafe runs after {@code package}); the output is the reviewed golden file.
 */
class BinClawIT {

    @Test
    void readmeCommandPrintsTheGoldenManifests() throws IOException, InterruptedException {
        Path root = RepoRoot.path();
        ProcessBuilder pb = new ProcessBuilder(
                        "bin/claw", "render", "examples/hermes-assistant.yaml", "examples/slack-team-channel.yaml")
                .directory(root.toFile());
        pb.environment().put("CLAW_SKIP_BUILD", "1"); // this build produced the jar; do not recurse into Maven
        Path err = Files.createTempFile("claw-err", ".txt");
        pb.redirectError(err.toFile());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(Files.readString(err)).isZero();
        assertThat(out)
                .isEqualTo(Files.readString(
                        root.resolve("claw-operator/src/test/resources/golden/render/hermes-assistant.yaml")));

        Process v = new ProcessBuilder("bin/claw", "validate", "examples/hermes-assistant.yaml")
                .directory(root.toFile())
                .start();
        v.getInputStream().readAllBytes();
        assertThat(v.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(v.exitValue()).isZero();
    }
}
