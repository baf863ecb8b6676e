package io.k8s4claw.operator.desired;

import static io.k8s4claw.operator.desired.DesiredStateBuilderTest.channel;
import static io.k8s4claw.operator.desired.DesiredStateBuilderTest.hermes;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.k8s4claw.api.runtime.RuntimeAdapters;
import io.k8s4claw.api.v1alpha1.Claw;
import io.k8s4claw.api.v1alpha1.ClawChannel;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Two or more built-in channels share one channel container; anything with a container of its own keeps it. */
class SharedChannelContainerTest {

    final ClawPlanner planner = new ClawPlanner(RuntimeAdapters.load(), new SidecarImages("bridge:1", "sidecar:1"));

    DesiredState ready(Claw claw, List<ClawChannel> channels, Map<String, String> secretHashes) {
        ClawPlanner.Plan plan = planner.plan(claw, channels, secretHashes);
        assertThat(plan).isInstanceOf(ClawPlanner.Plan.Ready.class);
        return ((ClawPlanner.Plan.Ready) plan).state();
    }

    static PodSpec pod(DesiredState state) {
        return state.statefulSet().getSpec().getTemplate().getSpec();
    }

    /** The native sidecars (init containers with restartPolicy Always), in order. */
    static List<String> sidecars(DesiredState state) {
        return pod(state).getInitContainers().stream()
                .filter(c -> "Always".equals(c.getRestartPolicy()))
                .map(Container::getName)
                .toList();
    }

    static Container container(DesiredState state, String name) {
        return pod(state).getInitContainers().stream()
                .filter(c -> c.getName().equals(name))
                .findFirst()
                .orElseThrow();
    }

    static String env(Container c, String name) {
        return c.getEnv().stream()
                .filter(e -> e.getName().equals(name))
                .map(EnvVar::getValue)
                .findFirst()
                .orElse(null);
    }

    static final List<ClawChannel> THREE = List.of(
            channel("team", "slack", "{}"),
            channel("hooks", "webhook", "{}"),
            channel("tg", "telegram", "{mode: webhook}"));

    @Test
    void threeBuiltInChannelsRunInOneContainerEachOnItsOwnPortAndSecrets() {
        DesiredState state =
                ready(hermes("channels: [{name: team}, {name: hooks, mode: inbound}, {name: tg}]"), THREE, Map.of());
        assertThat(sidecars(state)).containsExactly("claw-ipc-bridge", "claw-channels");
        Container shared = container(state, "claw-channels");
        assertThat(shared.getImage()).isEqualTo("sidecar:1");
        assertThat(shared.getRestartPolicy()).isEqualTo("Always");
        assertThat(shared.getPorts())
                .extracting(p -> p.getName() + ":" + p.getContainerPort())
                .containsExactly("ch1-http:8081", "ch2-http:8082", "ch3-http:8083");
        assertThat(env(shared, "CHANNEL_COUNT")).isEqualTo("3");
        assertThat(env(shared, "CHANNEL_1_NAME")).isEqualTo("team");
        assertThat(env(shared, "CHANNEL_2_TYPE")).isEqualTo("webhook");
        assertThat(env(shared, "CHANNEL_2_MODE")).isEqualTo("inbound");
        assertThat(env(shared, "CHANNEL_3_CONFIG")).isEqualTo("{\"mode\":\"webhook\"}");
        assertThat(env(shared, "CHANNEL_3_HTTP_PORT")).isEqualTo("8083");
        assertThat(env(shared, "JAVA_TOOL_OPTIONS"))
                .isEqualTo(ChannelSidecars.JAVA_TOOL_OPTIONS)
                .contains("-Xmx32m");
        assertThat(ChannelSidecars.sharedJavaToolOptions(5)).contains("-Xmx48m").doesNotContain("-Xmx32m");
        // secrets as files, one directory per channel, never in the environment
        assertThat(env(shared, "CHANNEL_1_SECRETS_DIR")).isEqualTo("/etc/claw/channel-secrets/team");
        assertThat(shared.getEnvFrom()).isEmpty();
        assertThat(shared.getVolumeMounts()).anySatisfy(m -> {
            assertThat(m.getName()).isEqualTo("channel-secrets-1");
            assertThat(m.getMountPath()).isEqualTo("/etc/claw/channel-secrets/team");
            assertThat(m.getReadOnly()).isTrue();
        });
        assertThat(pod(state).getVolumes())
                .filteredOn(v -> v.getName().startsWith("channel-secrets-"))
                .extracting(
                        v -> v.getProjected().getSources().get(0).getSecret().getName())
                .containsExactly("team-tokens", "hooks-tokens", "tg-tokens");
        assertThat(shared.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/readyz/channels");
        assertThat(shared.getReadinessProbe().getHttpGet().getPort().getStrVal())
                .isEqualTo("ch1-http");
        assertThat(shared.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/healthz");
        // three channels: the 32 MiB heap, 64 beside it, 2 a further channel
        assertThat(shared.getResources().getRequests().get("memory").toString()).isEqualTo("100Mi");
        assertThat(shared.getResources().getLimits().get("memory").toString()).isEqualTo("160Mi");
        // the operator's status reads each channel's readiness from the container hosting it
        assertThat(ChannelContainers.hosting(state.statefulSet(), "hooks")).isEqualTo("claw-channels");
        assertThat(ChannelContainers.hosting(state.statefulSet(), "elsewhere")).isEqualTo("channel-elsewhere");
        // the Service still routes each webhook channel's port
        assertThat(state.service().getSpec().getPorts())
                .extracting(p -> p.getPort())
                .containsExactly(8082, 8083);
    }

    @Test
    void theSharedContainerRequestsWhatItHoldsAfterTrafficAndItsHeapGrowsWithTheChannels() {
        // measured after 10,000 messages a channel: 95.9 MiB with two channels, 97.2 with three (32 MiB heap each)
        assertThat(memoryRequest(2)).isEqualTo("98Mi");
        assertThat(memoryRequest(3)).isEqualTo("100Mi");
        // from four channels on the heap grows 8 MiB a channel, and the request with it
        assertThat(memoryRequest(6)).isEqualTo((56 + 64 + 10) + "Mi");
        for (int n = 2; n <= 32; n++) {
            ResourceRequirements r = ChannelSidecars.sharedResources(n);
            int request = Integer.parseInt(r.getRequests().get("memory").getAmount());
            int limit = Integer.parseInt(r.getLimits().get("memory").getAmount());
            assertThat(request).as("request of %d channels", n).isGreaterThan(ChannelSidecars.sharedHeapMib(n) + 60);
            assertThat(limit).as("limit of %d channels", n).isGreaterThan(request + 32);
        }
    }

    private static String memoryRequest(int channels) {
        return ChannelSidecars.sharedResources(channels)
                .getRequests()
                .get("memory")
                .toString();
    }

    @Test
    void aRolledChannelSecretDoesNotRollThePodButTheClawsOwnDoes() {
        Claw claw = hermes("channels: [{name: team}, {name: hooks}, {name: tg}]");
        Map<String, String> before = Map.of("keys", "sha256:aa", "team-tokens", "sha256:01");
        DesiredState state = ready(claw, THREE, before);
        assertThat(state.statefulSet().getSpec().getTemplate().getMetadata().getAnnotations())
                .containsKey("secret.claw.prismer.ai/keys")
                .doesNotContainKey("secret.claw.prismer.ai/team-tokens");
        assertThat(state.referencedSecrets()).contains("team-tokens");
        DesiredState channelRolled = ready(claw, THREE, Map.of("keys", "sha256:aa", "team-tokens", "sha256:02"));
        assertThat(channelRolled.statefulSet().getSpec().getTemplate())
                .isEqualTo(state.statefulSet().getSpec().getTemplate());
        DesiredState clawRolled = ready(claw, THREE, Map.of("keys", "sha256:bb", "team-tokens", "sha256:01"));
        assertThat(clawRolled.statefulSet().getSpec().getTemplate())
                .isNotEqualTo(state.statefulSet().getSpec().getTemplate());
    }

    @Test
    void aSingleBuiltInChannelOrOneWithAContainerOfItsOwnKeepsItsOwnSidecar() {
        ClawChannel custom = Serialization.unmarshal("""
                apiVersion: claw.prismer.ai/v1alpha1
                kind: ClawChannel
                metadata: {name: matrix, namespace: ns}
                spec: {type: matrix, sidecar: {image: example/matrix-channel:1}}
                """, ClawChannel.class);
        ClawChannel sized = channel("big", "slack", "{}");
        sized.getSpec()
                .setResources(new ResourceRequirementsBuilder()
                        .addToLimits("memory", new Quantity("512Mi"))
                        .build());
        Map<String, String> hashes = Map.of("keys", "sha256:aa", "team-tokens", "sha256:01");
        DesiredState state = ready(
                hermes("channels: [{name: team}, {name: matrix}, {name: big}]"),
                List.of(channel("team", "slack", "{}"), custom, sized),
                hashes);
        assertThat(sidecars(state)).containsExactly("claw-ipc-bridge", "channel-team", "channel-matrix", "channel-big");
        assertThat(container(state, "channel-team").getEnvFrom())
                .singleElement()
                .satisfies(e -> assertThat(e.getSecretRef().getName()).isEqualTo("team-tokens"));
        // a sidecar reads its Secret from the environment: a change must roll the pod
        assertThat(state.statefulSet().getSpec().getTemplate().getMetadata().getAnnotations())
                .containsEntry("secret.claw.prismer.ai/team-tokens", "sha256:01");

        DesiredState mixed = ready(
                hermes("channels: [{name: matrix}, {name: team}, {name: hooks}]"),
                List.of(custom, channel("team", "slack", "{}"), channel("hooks", "webhook", "{}")),
                hashes);
        assertThat(sidecars(mixed)).containsExactly("claw-ipc-bridge", "channel-matrix", "claw-channels");
        assertThat(container(mixed, "claw-channels").getPorts())
                .extracting(p -> p.getContainerPort())
                .containsExactly(8082, 8083);
        assertThat(ChannelContainers.hosting(mixed.statefulSet(), "matrix")).isEqualTo("channel-matrix");
        assertThat(ChannelContainers.hosting(mixed.statefulSet(), "team")).isEqualTo("claw-channels");
        assertThat(container(mixed, "channel-matrix").getPorts())
                .extracting(p -> p.getContainerPort())
                .containsExactly(8081);
    }
}
