package io.k8s4claw.operator.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.k8s4claw.operator.realcluster.RealCluster;
import io.k8s4claw.testkit.kubernetes.LocalControlPlane;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What {@code claw render} prints for every example, given to the real kube-apiserver: first as
 * {@code kubectl apply --server-side --dry-run=server} (every object valid, no Pod Security warning for its pod
 * template), then applied for real in a namespace enforcing the {@code restricted} Pod Security Standard, where the
 * real StatefulSet controller must get the pod admitted (no {@code FailedCreate}). Every runtime's pod meets
 * {@code restricted} except the two the adapters' docs name: Hermes's default root start (its s6 init remaps users
 * and fixes volume ownership; {@code spec.security.rootless: true} makes it restricted, as the relay example shows)
 * and {@code custom}, which assumes nothing about its image — both meet {@code baseline}, enforced for them here (the
 * Hermes examples hermes-assistant and self-configuring-agent start as root).
 */
class RenderedExamplesOnRealApiServerTest {

    static Stream<Path> clawExamples() throws IOException {
        return RenderGoldenTest.clawExamples();
    }

    /** The Pod Security level each example's pod meets (claw-runtime-adapters/docs/runtime-adapters.md). */
    static String level(Path example) {
        return switch (example.getFileName().toString()) {
            case "hermes-assistant.yaml", "self-configuring-agent.yaml", "custom-agent.yaml" -> "baseline";
            default -> "restricted";
        };
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("clawExamples")
    void renderedObjectsApplyAndTheirPodsAreAdmittedUnderRestricted(Path example) throws IOException {
        RealCluster real = RealCluster.shared();
        LocalControlPlane plane = real.plane();
        List<String> args = new ArrayList<>(List.of("render", example.toString()));
        RenderGoldenTest.channelExamples().stream()
                .filter(c -> !c.equals(example))
                .forEach(c -> args.add(c.toString()));
        CliRun run = CliRun.of(args.toArray(String[]::new));
        assertThat(run.exitCode()).as(run.err()).isZero();

        String ns = real.newNamespace("render", level(example));
        List<HasMetadata> objects =
                Serialization.unmarshal(new ByteArrayInputStream(run.out().getBytes(StandardCharsets.UTF_8)));
        objects.forEach(o -> o.getMetadata().setNamespace(ns));
        String manifests = objects.stream().map(Serialization::asYaml).collect(Collectors.joining("\n"));

        LocalControlPlane.CommandResult dryRun = plane.kubectl(
                manifests, "apply", "--server-side", "--dry-run=server", "--field-manager=claw-operator", "-f", "-");
        assertThat(dryRun.ok()).as(dryRun.stderr()).isTrue();
        assertThat(dryRun.stderr()).as("warnings").doesNotContain("PodSecurity");

        LocalControlPlane.CommandResult applied =
                plane.kubectl(manifests, "apply", "--server-side", "--field-manager=claw-operator", "-f", "-");
        assertThat(applied.ok()).as(applied.stderr()).isTrue();
        try (KubernetesClient client = real.adminClient()) {
            for (HasMetadata o : objects) {
                if (!(o instanceof StatefulSet sts)) {
                    continue;
                }
                String pod = sts.getMetadata().getName() + "-0";
                await().atMost(Duration.ofSeconds(60))
                        .until(() -> client.pods().inNamespace(ns).withName(pod).get() != null
                                || failedCreate(client, ns).isPresent());
                assertThat(failedCreate(client, ns))
                        .as("the StatefulSet controller's event")
                        .isEmpty();
            }
        }
    }

    static Optional<String> failedCreate(KubernetesClient client, String ns) {
        return client.v1().events().inNamespace(ns).list().getItems().stream()
                .filter(e -> "FailedCreate".equals(e.getReason()))
                .map(Event::getMessage)
                .findFirst();
    }
}
