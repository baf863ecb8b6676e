package io.k8s4claw.api.validation;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The table of invalid custom resources ({@code src/test/resources/invalid/*.yaml}). Each file states, in
 * {@code # expect: <path> | <message>} lines, every problem it has. Each case is checked twice on the same input:
 * by the Java validators (exact set of paths, messages containing the expected text) and by the generated CRD
 * (OpenAPI schema + CEL rules, {@link CrdEvaluator}) — which must reject it at exactly the same paths, with the
 * same message wherever a CEL rule is the reason.
 */
class InvalidResourcesTest {

    private static final CrdEvaluator CLAW_CRD = CrdEvaluator.load("claws.claw.prismer.ai-v1.yml");
    private static final CrdEvaluator CHANNEL_CRD = CrdEvaluator.load("clawchannels.claw.prismer.ai-v1.yml");
    private static final CrdEvaluator SELF_CONFIG_CRD = CrdEvaluator.load("clawselfconfigs.claw.prismer.ai-v1.yml");

    record Expected(String path, String message) {}

    record Case(String file, List<Expected> expected, JsonNode old, JsonNode resource) {
        boolean isChannel() {
            return "ClawChannel".equals(resource.path("kind").asText());
        }

        boolean isSelfConfig() {
            return "ClawSelfConfig".equals(resource.path("kind").asText());
        }

        @Override
        public String toString() {
            return file;
        }
    }

    static Stream<Case> cases() throws IOException, URISyntaxException {
        Path dir = Path.of(Objects.requireNonNull(InvalidResourcesTest.class.getResource("/invalid"))
                .toURI());
        List<Case> cases = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.sorted().toList()) {
                String text = Files.readString(f);
                List<Expected> expected = text.lines()
                        .filter(l -> l.startsWith("# expect: "))
                        .map(l -> l.substring("# expect: ".length()).split(" \\| ", 2))
                        .map(p -> new Expected(p[0].trim(), p[1].trim()))
                        .toList();
                List<JsonNode> docs = Manifests.readYamlDocuments(text);
                cases.add(
                        docs.size() == 2
                                ? new Case(f.getFileName().toString(), expected, docs.get(0), docs.get(1))
                                : new Case(f.getFileName().toString(), expected, null, docs.get(0)));
            }
        }
        return cases.stream();
    }

    @Test
    void theTableHasAtLeastFifteenCasesAndEachExpectsSomething() throws Exception {
        List<Case> all = cases().toList();
        assertThat(all).hasSizeGreaterThanOrEqualTo(15);
        assertThat(all).allSatisfy(c -> assertThat(c.expected()).as(c.file()).isNotEmpty());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void javaValidationReportsEveryExpectedProblem(Case c) {
        ValidationResult result = javaResult(c);
        assertThat(result.errors())
                .extracting(FieldError::path)
                .as(result.render(c.file()))
                .containsExactlyInAnyOrderElementsOf(
                        c.expected().stream().map(Expected::path).toList());
        for (Expected e : c.expected()) {
            assertThat(result.errors())
                    .filteredOn(err -> err.path().equals(e.path()))
                    .as(result.render(c.file()))
                    .anySatisfy(err -> assertThat(err.message()).contains(e.message()));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void theGeneratedCrdRejectsTheSameCaseAtTheSamePaths(Case c) {
        List<CrdEvaluator.Violation> crd = (c.isChannel() ? CHANNEL_CRD : c.isSelfConfig() ? SELF_CONFIG_CRD : CLAW_CRD)
                .validate(c.old(), c.resource());
        String report = crd.stream().map(Object::toString).collect(Collectors.joining("\n"));
        assertThat(crd)
                .extracting(CrdEvaluator.Violation::path)
                .as(report)
                .containsExactlyInAnyOrderElementsOf(
                        c.expected().stream().map(Expected::path).toList());
        // Where a CEL rule rejects, Java says the same words (and then adds the offending values).
        ValidationResult java = javaResult(c);
        for (CrdEvaluator.Violation v : crd) {
            if (v.cel()) {
                assertThat(java.errors())
                        .filteredOn(err -> err.path().equals(v.path()))
                        .as(report + "\n" + java.render(c.file()))
                        .anySatisfy(err -> assertThat(err.message()).startsWith(v.message()));
            }
        }
    }

    private static ValidationResult javaResult(Case c) {
        if (c.isChannel()) {
            return ClawChannelValidator.validateManifest(c.resource());
        }
        if (c.isSelfConfig()) {
            return c.old() == null
                    ? ClawSelfConfigValidator.validateManifest(c.resource())
                    : ClawSelfConfigValidator.validateManifestUpdate(c.old(), c.resource());
        }
        return c.old() == null
                ? ClawValidator.validateManifest(c.resource())
                : ClawValidator.validateManifestUpdate(c.old(), c.resource());
    }
}
