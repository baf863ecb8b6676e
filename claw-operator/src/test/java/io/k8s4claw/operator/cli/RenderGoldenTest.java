package io.k8s4claw.operator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.k8s4claw.operator.install.RepoRoot;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Golden test of the desired state for every example in the repository's {@code examples/}: each file holding
 * a Claw is rendered (through the CLI, the same code the operator applies) together with every example file that
 * defines only ClawChannels, and compared with {@code golden/render/<example>.yaml}.
 */
class RenderGoldenTest {

    static final Path EXAMPLES = RepoRoot.path().resolve("examples");

    static Stream<Path> clawExamples() throws IOException {
        try (Stream<Path> files = Files.list(EXAMPLES)) {
            return files
                    .filter(p -> p.toString().endsWith(".yaml"))
                    .filter(p -> contains(p, "kind: Claw\n"))
                    .sorted()
                    .toList()
                    .stream();
        }
    }

    static List<Path> channelExamples() throws IOException {
        try (Stream<Path> files = Files.list(EXAMPLES)) {
            // Channel-only files: a file that also holds a Claw would render that Claw into every golden file.
            return files.filter(p -> p.toString().endsWith(".yaml"))
                    .filter(p -> contains(p, "kind: ClawChannel\n"))
                    .filter(p -> !contains(p, "kind: Claw\n"))
                    .sorted()
                    .toList();
        }
    }

    static boolean contains(Path p, String s) {
        try {
            return Files.readString(p).contains(s);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void theRequestsHermesSampleGetsTheBridgeItsSlackSidecarAndNoBuiltInChannels() {
        CliRun run = CliRun.of(
                "render",
                EXAMPLES.resolve("hermes-assistant.yaml").toString(),
                EXAMPLES.resolve("slack-team-channel.yaml").toString());
        assertThat(run.exitCode()).as(run.err()).isZero();
        List<HasMetadata> objects =
                Serialization.unmarshal(new ByteArrayInputStream(run.out().getBytes(StandardCharsets.UTF_8)));
        var sts = objects.stream()
                .filter(o -> o instanceof StatefulSet)
                .map(o -> (StatefulSet) o)
                .findFirst()
                .orElseThrow();
        var pod = sts.getSpec().getTemplate().getSpec();
        assertThat(pod.getInitContainers())
                .filteredOn(c -> "Always".equals(c.getRestartPolicy()))
                .extracting(Container::getName)
                .containsExactly("claw-ipc-bridge", "channel-slack-team");
        var sidecar = pod.getInitContainers().stream()
                .filter(c -> c.getName().equals("channel-slack-team"))
                .findFirst()
                .orElseThrow();
        assertThat(sidecar.getEnvFrom())
                .singleElement()
                .satisfies(e -> assertThat(e.getSecretRef().getName()).isEqualTo("slack-team-tokens"));
        // Hermes's own Slack is off: no tokens in its environment, platform disabled in the managed scope.
        var hermes = pod.getContainers().get(0);
        assertThat(hermes.getEnv())
                .filteredOn(e -> e.getName().equals("SLACK_BOT_TOKEN"))
                .singleElement()
                .satisfies(e -> assertThat(e.getValue()).isEmpty());
        var config = objects.stream()
                .filter(o -> o instanceof ConfigMap)
                .map(o -> (ConfigMap) o)
                .findFirst()
                .orElseThrow();
        assertThat(config.getData().get("managed-config.yaml")).containsPattern("slack:\\s+enabled: false");
        assertThat(sts.getSpec().getVolumeClaimTemplates())
                .extracting(p -> p.getMetadata().getName())
                .contains("session", "workspace");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("clawExamples")
    void renderMatchesGolden(Path example) throws IOException {
        List<String> args = new ArrayList<>(List.of("render", example.toString()));
        channelExamples().stream().filter(c -> !c.equals(example)).forEach(c -> args.add(c.toString()));
        CliRun run = CliRun.of(args.toArray(String[]::new));
        assertThat(run.err()).isEmpty();
        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).doesNotContain("kind: \"Secret\"");
        String stem = example.getFileName().toString().replaceFirst("\\.yaml$", "");
        Golden.assertMatches("render/" + stem + ".yaml", run.out());
    }
}
