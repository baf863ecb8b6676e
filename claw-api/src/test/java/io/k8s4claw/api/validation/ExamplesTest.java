package io.k8s4claw.api.validation;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.k8s4claw.api.v1alpha1.ChannelMode;
import io.k8s4claw.api.v1alpha1.Claw;
import io.k8s4claw.api.v1alpha1.ClawChannel;
import io.k8s4claw.api.v1alpha1.ReclaimPolicy;
import io.k8s4claw.api.v1alpha1.RuntimeType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every custom resource in the repository's {@code examples/} directory parses into the model, validates clean
 * (Java and generated CRD) and round-trips YAML → model → YAML to the same tree, both through this project's
 * {@link Manifests} and through fabric8's {@link KubernetesSerialization} (what the operator's client uses).
 */
class ExamplesTest {

    private static final Path EXAMPLES = Path.of("..", "examples");
    private static final KubernetesSerialization FABRIC8 = new KubernetesSerialization();
    private static final CrdEvaluator CLAW_CRD = CrdEvaluator.load("claws.claw.prismer.ai-v1.yml");
    private static final CrdEvaluator CHANNEL_CRD = CrdEvaluator.load("clawchannels.claw.prismer.ai-v1.yml");

    record Doc(String file, int index, JsonNode tree) {
        Class<? extends HasMetadata> type() {
            return switch (tree.path("kind").asText()) {
                case "Claw" -> Claw.class;
                case "ClawChannel" -> ClawChannel.class;
                default -> throw new AssertionError(file + ": unexpected kind " + tree.path("kind"));
            };
        }

        @Override
        public String toString() {
            return file + "#" + index;
        }
    }

    static Stream<Doc> documents() throws IOException {
        try (Stream<Path> files = Files.list(EXAMPLES)) {
            return files
                    .filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml"))
                    .sorted()
                    .flatMap(ExamplesTest::read)
                    .toList()
                    .stream();
        }
    }

    private static Stream<Doc> read(Path file) {
        try {
            List<JsonNode> docs = Manifests.readYamlDocuments(Files.readString(file));
            return IntStream.range(0, docs.size())
                    .mapToObj(i -> new Doc(file.getFileName().toString(), i, docs.get(i)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void theSharedExamplesArePresent() throws IOException {
        for (String name : List.of("hermes-assistant.yaml", "openclaw-ankra-stack.yaml", "slack-team-channel.yaml")) {
            assertThat(EXAMPLES.resolve(name)).exists();
        }
        assertThat(documents().count()).isGreaterThanOrEqualTo(3);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("documents")
    void validatesCleanInJavaAndAgainstTheGeneratedCrd(Doc doc) {
        boolean claw = doc.type() == Claw.class;
        ValidationResult java =
                claw ? ClawValidator.validateManifest(doc.tree()) : ClawChannelValidator.validateManifest(doc.tree());
        assertThat(java.errors()).as(java.render(doc.toString())).isEmpty();
        assertThat((claw ? CLAW_CRD : CHANNEL_CRD).validate(doc.tree())).isEmpty();
        // and the typed path the operator uses agrees
        ValidationResult typed = claw
                ? ClawValidator.validateCreate(Manifests.bind(doc.tree(), Claw.class))
                : ClawChannelValidator.validateCreate(Manifests.bind(doc.tree(), ClawChannel.class));
        assertThat(typed.errors()).as(typed.render(doc.toString())).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("documents")
    void roundTripsThroughTheModelToTheSameTree(Doc doc) {
        HasMetadata model = Manifests.bind(doc.tree(), doc.type());
        JsonNode again = Manifests.readYamlDocuments(Manifests.toYaml(model)).get(0);
        assertThat(again).isEqualTo(doc.tree());

        HasMetadata viaFabric8 = FABRIC8.unmarshal(Manifests.toYaml(doc.tree()), doc.type());
        JsonNode fabric8Again =
                Manifests.readYamlDocuments(FABRIC8.asYaml(viaFabric8)).get(0);
        assertThat(fabric8Again).isEqualTo(doc.tree());
        assertThat(viaFabric8).isEqualTo(model);
    }

    @Test
    void theHermesSampleFromTheRequestReadsAsWritten() throws IOException {
        Claw claw = Manifests.bind(
                Manifests.readYamlDocuments(Files.readString(EXAMPLES.resolve("hermes-assistant.yaml")))
                        .get(0),
                Claw.class);
        assertThat(claw.getMetadata().getName()).isEqualTo("hermes-assistant");
        assertThat(claw.getSpec().getRuntime()).isEqualTo(RuntimeType.HERMESCLAW);
        assertThat(claw.getSpec().getConfig().path("model").asText()).isEqualTo("nous-hermes-3");
        assertThat(claw.getSpec().getConfig().path("learningEnabled").asBoolean())
                .isTrue();
        assertThat(claw.getSpec().getCredentials().getSecretRef().getName()).isEqualTo("hermes-api-keys");
        assertThat(claw.getSpec().getPersistence().getSession().getSize()).isEqualTo("5Gi");
        assertThat(claw.getSpec().getPersistence().getSession().getMountPath()).isEqualTo("/data/memory");
        assertThat(claw.getSpec().getPersistence().getWorkspace().getSize()).isEqualTo("20Gi");
        assertThat(claw.getSpec().getPersistence().getWorkspace().getMountPath())
                .isEqualTo("/data/skills");
        assertThat(claw.getSpec().getPersistence().getReclaimPolicy()).isNull(); // the API server defaults it to Retain
        assertThat(claw.getSpec().getChannels()).singleElement().satisfies(c -> {
            assertThat(c.getName()).isEqualTo("slack-team");
            assertThat(c.getMode()).isEqualTo(ChannelMode.BIDIRECTIONAL);
        });
        assertThat(ReclaimPolicy.fromWire("Retain")).isEqualTo(ReclaimPolicy.RETAIN);
    }
}
