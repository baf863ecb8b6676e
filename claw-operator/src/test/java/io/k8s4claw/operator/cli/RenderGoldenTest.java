package io.k8s4claw.operator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.k8s4claw.operator.install.RepoRoot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Golden test of the desired state for every example in the repository's {@code examples/}: each file holding
 * a Claw is rendered (through the CLI, the same code the operator applies) together with every example that
 * defines ClawChannels, and compared with {@code golden/render/<example>.yaml}.
 */
class RenderGoldenTest {

    static final Path EXAMPLES = RepoRoot.path().resolve("examples");

    static Stream<Path> clawExamples() throws IOException {
        try (Stream<Path> files = Files.list(EXAMPLES)) {
            return files.filter(p -> p.toString().endsWith(".yaml")).filter(p -> contains(p, "kind: Claw\n")).sorted().toList().stream();
        }
    }

    static List<Path> channelExamples() throws IOException {
        try (Stream<Path> files = Files.list(EXAMPLES)) {
            return files.filter(p -> p.toString().endsWith(".yaml")).filter(p -> contains(p, "kind: ClawChannel\n")).sorted().toList();
        }
    }

    static boolean contains(Path p, String s) {
        try {
            return Files.readString(p).contains(s);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
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
