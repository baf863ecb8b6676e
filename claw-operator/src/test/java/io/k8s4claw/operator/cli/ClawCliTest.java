package io.k8s4claw.operator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.k8s4claw.operator.install.RepoRoot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code claw render} and {@code claw validate} as a user runs them (in-process main). */
class ClawCliTest {

    static final Path EXAMPLES = RepoRoot.path().resolve("examples");
    static final String HERMES = EXAMPLES.resolve("hermes-assistant.yaml").toString();
    static final String SLACK = EXAMPLES.resolve("slack-team-channel.yaml").toString();

    @TempDir
    Path tmp;

    @Test
    void readmeMainJobRendersTheHermesPodWithBridgeAndSlackSidecar() {
        CliRun run = CliRun.of("render", HERMES, SLACK);
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out())
                .contains(
                        "kind: \"StatefulSet\"",
                        "name: \"claw-ipc-bridge\"",
                        "name: \"channel-slack-team\"",
                        "restartPolicy: \"Always\"",
                        "CLAW_RUNTIME_PROTOCOL",
                        "hermes-sse",
                        "CHANNEL_HTTP_PORT",
                        "\"8081\"",
                        "# Secrets the operator generates once at run time");
        // Same input, same bytes: stable order for GitOps diffs.
        assertThat(CliRun.of("render", SLACK, HERMES).out()).isEqualTo(run.out());
    }

    @Test
    void renderNeedsTheChannelsFile() {
        CliRun run = CliRun.of("render", HERMES);
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).contains("spec.channels[0].name: ClawChannel 'slack-team' is not in the given files");
    }

    @Test
    void secretValuesAreNeverPrintedButTheirHashRollsThePod() throws IOException {
        Path secret = tmp.resolve("secret.yaml");
        Files.writeString(secret, """
                apiVersion: v1
                kind: Secret
                metadata:
                  name: hermes-api-keys
                stringData:
                  OPENROUTER_API_KEY: sk-supersecret-value
                """);
        CliRun with = CliRun.of("render", HERMES, SLACK, secret.toString());
        assertThat(with.exitCode()).as(with.err()).isZero();
        assertThat(with.out()).doesNotContain("sk-supersecret-value").doesNotContain("kind: \"Secret\"");
        assertThat(with.out()).containsPattern("secret.claw.prismer.ai/hermes-api-keys: \"sha256:[0-9a-f]{64}\"");
        assertThat(with.out()).contains("secret.claw.prismer.ai/slack-team-tokens: \"unresolved\"");
    }

    @Test
    void validateAcceptsTheExamples() throws IOException {
        try (var files = Files.list(EXAMPLES)) {
            String[] args = Stream.concat(
                            Stream.of("validate"),
                            files.filter(p -> p.toString().endsWith(".yaml"))
                                    .sorted()
                                    .map(Path::toString))
                    .toArray(String[]::new);
            CliRun run = CliRun.of(args);
            assertThat(run.exitCode()).as(run.err()).isZero();
            assertThat(run.out()).contains("valid: Claw hermes-assistant", "valid: ClawChannel slack-team");
        }
    }

    @Test
    void validateChecksAClawWhoseChannelsAreElsewhere() {
        CliRun run = CliRun.of("validate", HERMES);
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("valid: Claw hermes-assistant", "ClawChannel(s) slack-team not among the files");
    }

    @Test
    void validateReportsEveryErrorWithItsFieldPath() throws IOException {
        Path bad = tmp.resolve("bad.yaml");
        Files.writeString(bad, """
                apiVersion: claw.prismer.ai/v1alpha1
                kind: Claw
                metadata:
                  name: broken
                spec:
                  runtime: hermesclaw
                  persistence:
                    session:
                      size: 5 Gb
                  channels:
                    - name: slack-team
                    - name: slack-team
                  ingress:
                    enabled: true
                """);
        CliRun run = CliRun.of("validate", bad.toString(), SLACK);
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err())
                .contains(
                        "invalid: Claw broken",
                        "spec.persistence.session.size",
                        "spec.channels[1].name",
                        "spec.ingress.host");
        CliRun render = CliRun.of("render", bad.toString(), SLACK);
        assertThat(render.exitCode()).isEqualTo(1);
        assertThat(render.out()).isEmpty();
    }

    @Test
    void unreadableInputIsAClearError() throws IOException {
        Path notYaml = tmp.resolve("x.yaml");
        Files.writeString(notYaml, "kind: [unclosed");
        CliRun run = CliRun.of(
                "render", notYaml.toString(), tmp.resolve("missing.yaml").toString());
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("x.yaml: not valid YAML", "missing.yaml: no such file");
    }
}
