package io.k8s4claw.operator.dev;

import static org.assertj.core.api.Assertions.assertThat;

import io.k8s4claw.operator.install.RepoRoot;
import java.io.ByteArrayOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/** {@code bin/claw dev} on the README's example: the request's Hermes sample and its Slack channel reach Running. */
class DevSessionTest {

    @Test
    void theReadmeExampleConvergesAndTheSessionPrintsWhatTheOperatorMade() throws Exception {
        Path examples = RepoRoot.path().resolve("examples");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        boolean ready = new DevSession(new PrintStream(bytes, true, StandardCharsets.UTF_8))
                .run(
                        List.of(examples.resolve("hermes-assistant.yaml"), examples.resolve("slack-team-channel.yaml")),
                        true,
                        Duration.ofMinutes(3));
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertThat(ready).as(out).isTrue();
        assertThat(out)
                .contains(
                        "created Secret hermes-api-keys with a placeholder value",
                        "applied Claw hermes-assistant",
                        "+ StatefulSet/hermes-assistant",
                        "+ Pod/hermes-assistant-0",
                        "+ Secret/hermes-assistant-hermes-api",
                        "+ PersistentVolumeClaim/session-hermes-assistant-0",
                        "Claw hermes-assistant: Running",
                        "every Claw is Running");
    }

    /** The entry point of {@code bin/claw dev} (runs only when it passes {@code -Dclaw.dev.args}). */
    @Test
    @EnabledIfSystemProperty(named = "claw.dev.args", matches = ".+")
    void devSession() throws Exception {
        String[] args = System.getProperty("claw.dev.args").trim().split("\\s+");
        List<Path> files = Arrays.stream(args)
                .filter(a -> !a.startsWith("--"))
                .map(Path::of)
                .toList();
        boolean untilReady = List.of(args).contains("--until-ready");
        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8);
        assertThat(new DevSession(out)
                        .run(files, untilReady, untilReady ? Duration.ofMinutes(5) : Duration.ofDays(365)))
                .isTrue();
    }
}
