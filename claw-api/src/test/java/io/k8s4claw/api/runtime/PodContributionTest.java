package io.k8s4claw.api.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSecurityContextBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PodContributionTest {

    private static PodContribution sample(
            Container container, List<Volume> volumes, List<ConfigFile> files, List<RuntimePort> exposed) {
        return new PodContribution(
                container,
                List.of(),
                volumes,
                List.of(),
                new PodSecurityContextBuilder().withFsGroup(10000L).build(),
                90,
                files,
                List.of(),
                new BridgeTarget.None("test"),
                exposed);
    }

    @Test
    void fabric8ObjectsAreCopiedInAndOut() {
        Container container = new ContainerBuilder()
                .withName("runtime")
                .withImage("img:1")
                .addNewEnv()
                .withName("A")
                .withValue("1")
                .endEnv()
                .build();
        List<Volume> volumes = new ArrayList<>(List.of(new VolumeBuilder()
                .withName("shm")
                .withNewEmptyDir()
                .withMedium("Memory")
                .endEmptyDir()
                .build()));
        PodContribution pod = sample(container, volumes, List.of(), List.of());

        container.getEnv().get(0).setValue("changed-after-construction");
        volumes.clear();
        pod.runtimeContainer().getEnv().add(new EnvVar("B", "2", null));
        pod.runtimeContainer().setImage("other");
        pod.podSecurityContext().setFsGroup(0L);

        assertThat(pod.runtimeContainer().getEnv()).extracting(EnvVar::getValue).containsExactly("1");
        assertThat(pod.runtimeContainer().getImage()).isEqualTo("img:1");
        assertThat(pod.volumes()).extracting(Volume::getName).containsExactly("shm");
        assertThat(pod.podSecurityContext().getFsGroup()).isEqualTo(10000L);
        assertThat(pod)
                .isEqualTo(sample(
                        new ContainerBuilder()
                                .withName("runtime")
                                .withImage("img:1")
                                .addNewEnv()
                                .withName("A")
                                .withValue("1")
                                .endEnv()
                                .build(),
                        List.of(new VolumeBuilder()
                                .withName("shm")
                                .withNewEmptyDir()
                                .withMedium("Memory")
                                .endEmptyDir()
                                .build()),
                        List.of(),
                        List.of()));
    }

    @Test
    void loopbackPortsCannotBeExposedAndConfigKeysAreUnique() {
        Container c = new ContainerBuilder().withName("runtime").build();
        assertThatThrownBy(() -> sample(
                        c, List.of(), List.of(), List.of(new RuntimePort("api", 8642, "API", PortExposure.LOOPBACK))))
                .hasMessageContaining("loopback-only");
        ConfigFile f = new ConfigFile("config.yaml", "/etc/x/config.yaml", "a: 1\n", ConfigFormat.YAML, false);
        assertThatThrownBy(() -> sample(c, List.of(), List.of(f, f), List.of())).hasMessageContaining("unique");
    }

    @Test
    void secretsAreSplitFromConfigMapFilesAndNeverPrinted() {
        ConfigFile plain = new ConfigFile("config.yaml", "/etc/x/config.yaml", "a: 1\n", ConfigFormat.YAML, false);
        ConfigFile secret = new ConfigFile("managed.env", "/etc/x/.env", "TOKEN=hunter2\n", ConfigFormat.DOTENV, true);
        PodContribution pod = sample(
                new ContainerBuilder().withName("runtime").build(), List.of(), List.of(plain, secret), List.of());

        assertThat(pod.nonSecretConfigFiles()).containsExactly(plain);
        assertThat(pod.secretConfigFiles()).containsExactly(secret);
        assertThat(pod.toString()).doesNotContain("hunter2");
        assertThatThrownBy(() -> new ConfigFile("bad/key", "/x", "", ConfigFormat.TEXT, false))
                .hasMessageContaining("bad/key");
    }

    @Test
    void bridgeEnvFollowsTheBridgeContractAndHoldsOnlySecretReferences() {
        SecretKeyReference apiKey = new SecretKeyReference("c-hermes-api", "API_SERVER_KEY");
        SecretKeyReference relay = new SecretKeyReference("c-hermes-relay", "GATEWAY_RELAY_SECRET");
        BridgeTarget target = new BridgeTarget.HermesRelay(
                URI.create("http://127.0.0.1:8642"), apiKey, 8765, relay, "gw-c", List.of("slack"));

        List<EnvVar> env = target.bridgeEnv();
        assertThat(env)
                .extracting(EnvVar::getName)
                .containsExactly(
                        "CLAW_RUNTIME_PROTOCOL",
                        "CLAW_RUNTIME_URL",
                        "CLAW_RUNTIME_TOKEN",
                        "CLAW_RELAY_PORT",
                        "CLAW_RELAY_SECRET",
                        "CLAW_RELAY_GATEWAY_ID");
        assertThat(env.get(0).getValue()).isEqualTo("hermes-relay");
        assertThat(env.get(2).getValue()).isNull();
        assertThat(env.get(2).getValueFrom().getSecretKeyRef().getName()).isEqualTo("c-hermes-api");
        assertThat(env.get(2).getValueFrom().getSecretKeyRef().getKey()).isEqualTo("API_SERVER_KEY");
        assertThat(env.get(4).getValueFrom().getSecretKeyRef().getName()).isEqualTo("c-hermes-relay");
        assertThat(target.protocol()).contains(BridgeProtocol.HERMES_RELAY);
        assertThat(new BridgeTarget.None("x").bridgeEnv()).isEmpty();
    }

    @Test
    void imagePolicyPinsAndRecognisesReleaseTags() {
        ImagePolicy policy =
                new ImagePolicy("nousresearch/hermes-agent", "v2026.8.19", "v\\d{4}\\.\\d{1,2}\\.\\d{1,2}");
        assertThat(policy.resolve(null)).contains("nousresearch/hermes-agent:v2026.8.19");
        assertThat(policy.resolve(" my/hermes:dev ")).contains("my/hermes:dev");
        assertThat(policy.isVersionTag("v2026.9.1")).isTrue();
        assertThat(policy.isVersionTag("latest")).isFalse();
        assertThatThrownBy(() -> new ImagePolicy("x/y", "latest", "v\\d+")).hasMessageContaining("latest");
        assertThat(ImagePolicy.none().defaultImage()).isEmpty();
    }

    @Test
    void generatedSecretsNeedAtLeast32RandomBytes() {
        assertThatThrownBy(() -> GeneratedSecret.Key.hex("API_SERVER_KEY", 16)).hasMessageContaining("32");
        assertThat(new GeneratedSecret("hermes-api", List.of(GeneratedSecret.Key.hex("API_SERVER_KEY", 32)), "API key")
                        .keys())
                .hasSize(1);
    }
}
