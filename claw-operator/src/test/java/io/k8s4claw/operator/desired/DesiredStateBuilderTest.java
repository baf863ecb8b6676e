package io.k8s4claw.operator.desired;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.k8s4claw.api.runtime.RuntimeAdapters;
import io.k8s4claw.api.v1alpha1.Claw;
import io.k8s4claw.api.v1alpha1.ClawChannel;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Rules of the desired state the examples do not all exercise, on the real Hermes adapter. */
class DesiredStateBuilderTest {

    final ClawPlanner planner = new ClawPlanner(RuntimeAdapters.load(), new SidecarImages("bridge:1", "sidecar:1"));

    static Claw hermes(String extra) {
        return Serialization.unmarshal("""
                apiVersion: claw.prismer.ai/v1alpha1
                kind: Claw
                metadata: {name: agent, namespace: ns}
                spec:
                  runtime: hermesclaw
                  config: {model: nous-hermes-3}
                  credentials: {secretRef: {name: keys}}
                  persistence:
                    session: {size: 5Gi}
                    workspace: {enabled: false, size: 1Gi}
                    output: {enabled: false, size: 1Gi}
                %s
                """.formatted(extra.indent(2)), Claw.class);
    }

    static ClawChannel channel(String name, String type, String config) {
        return Serialization.unmarshal("""
                apiVersion: claw.prismer.ai/v1alpha1
                kind: ClawChannel
                metadata: {name: %s, namespace: ns}
                spec: {type: %s, credentials: {secretRef: {name: %s-tokens}}, config: %s}
                """.formatted(name, type, name, config), ClawChannel.class);
    }

    DesiredState ready(Claw claw, List<ClawChannel> channels) {
        ClawPlanner.Plan plan = planner.plan(claw, channels, Map.of("keys", "sha256:aa"));
        assertThat(plan).isInstanceOf(ClawPlanner.Plan.Ready.class);
        return ((ClawPlanner.Plan.Ready) plan).state();
    }

    @Test
    void everyChannelGetsItsOwnPortAndWebhooksAreExposed() {
        Claw claw = hermes("channels: [{name: team}, {name: hooks}, {name: tg}]");
        DesiredState state = ready(
                claw,
                List.of(
                        channel("team", "slack", "{}"),
                        channel("hooks", "webhook", "{}"),
                        channel("tg", "telegram", "{mode: webhook}")));
        List<Container> init =
                state.statefulSet().getSpec().getTemplate().getSpec().getInitContainers();
        // three built-in channels: one shared channel container, each channel on its own port
        // (SharedChannelContainerTest)
        assertThat(init.stream()
                        .filter(c -> c.getName().equals("claw-channels"))
                        .flatMap(c -> c.getPorts().stream())
                        .map(p -> p.getContainerPort()))
                .containsExactly(8081, 8082, 8083);
        assertThat(init.stream()
                        .filter(c -> c.getName().equals("claw-ipc-bridge"))
                        .findFirst()
                        .orElseThrow()
                        .getEnv())
                .anySatisfy(e -> {
                    assertThat(e.getName()).isEqualTo("CLAW_CHANNELS");
                    assertThat(e.getValue()).isEqualTo("team,hooks,tg");
                });
        assertThat(state.service().getSpec().getPorts())
                .extracting(p -> p.getPort())
                .containsExactly(8082, 8083);
        assertThat(state.networkPolicy().orElseThrow().getSpec().getIngress())
                .singleElement()
                .satisfies(r -> assertThat(r.getPorts())
                        .extracting(p -> p.getPort().getIntVal())
                        .containsExactly(8082, 8083));
    }

    @Test
    void noChannelsMeansNoBridgeAndNoBusVolume() {
        DesiredState state = ready(hermes(""), List.of());
        assertThat(state.statefulSet().getSpec().getTemplate().getSpec().getInitContainers())
                .noneMatch(c ->
                        c.getName().equals("claw-ipc-bridge") || c.getName().startsWith("channel-"));
        assertThat(state.statefulSet().getSpec().getTemplate().getSpec().getVolumes())
                .noneMatch(v -> v.getName().equals("claw-bus"));
        assertThat(state.service().getSpec().getPorts()).isEmpty();
        assertThat(state.networkPolicy().orElseThrow().getSpec().getIngress()).isEmpty();
    }

    @Test
    void networkPolicyEgressAndIngressFollowTheSpec() {
        DesiredState state = ready(hermes("""
                security:
                  networkPolicy:
                    allowedEgressCIDRs: [10.20.0.0/16]
                    allowedIngressNamespaces: [ingress-nginx]
                channels: [{name: hooks}]"""), List.of(channel("hooks", "webhook", "{}")));
        var spec = state.networkPolicy().orElseThrow().getSpec();
        assertThat(spec.getPolicyTypes()).containsExactly("Ingress", "Egress");
        assertThat(spec.getEgress())
                .anySatisfy(r -> assertThat(r.getTo())
                        .singleElement()
                        .satisfies(p -> assertThat(p.getIpBlock().getCidr()).isEqualTo("10.20.0.0/16")));
        assertThat(spec.getEgress())
                .anySatisfy(r -> assertThat(r.getPorts())
                        .extracting(p -> p.getPort().getIntVal())
                        .containsExactly(443));
        assertThat(spec.getIngress().get(0).getFrom())
                .singleElement()
                .satisfies(p -> assertThat(p.getNamespaceSelector().getMatchLabels())
                        .containsEntry("kubernetes.io/metadata.name", "ingress-nginx"));
        assertThat(ready(hermes("security: {networkPolicy: {enabled: false}}"), List.of())
                        .networkPolicy())
                .isEmpty();
    }

    @Test
    void endpointsTheNetworkPolicyWouldBlockAreReported() {
        Claw claw = hermes("");
        claw.getSpec()
                .setConfig(Serialization.unmarshal(
                        "{\"model\":\"m\",\"providers\":[{\"baseUrl\":\"http://vllm.models.svc:8000/v1\"},"
                                + "{\"baseUrl\":\"https://api.example.com/v1\"}]}",
                        JsonNode.class));
        assertThat(ready(claw, List.of()).warnings())
                .singleElement()
                .asString()
                .startsWith("spec.config.providers[0].baseUrl: http://vllm.models.svc:8000/v1 uses TCP port 8000");
        Claw allowed = hermes("security: {networkPolicy: {allowedEgressCIDRs: [10.96.0.0/12]}}");
        allowed.getSpec().setConfig(claw.getSpec().getConfig());
        assertThat(ready(allowed, List.of()).warnings()).isEmpty();
    }

    @Test
    void pdbNeverBlocksADrain() {
        DesiredState state = ready(hermes("availability: {pdb: {enabled: true, minAvailable: 1}}"), List.of());
        var pdb = state.podDisruptionBudget().orElseThrow();
        assertThat(pdb.getSpec().getMinAvailable()).isNull();
        assertThat(pdb.getSpec().getMaxUnavailable().getIntVal()).isEqualTo(1);
        assertThat(state.warnings()).singleElement().asString().startsWith("spec.availability.pdb.minAvailable");
        assertThat(ready(hermes(""), List.of()).podDisruptionBudget()).isEmpty();
    }

    @Test
    void noIngressToALoopbackOnlyApi() {
        ClawPlanner.Plan plan =
                planner.plan(hermes("ingress: {enabled: true, host: agent.example.com}"), List.of(), Map.of());
        assertThat(plan)
                .isInstanceOfSatisfying(
                        ClawPlanner.Plan.Invalid.class,
                        invalid -> assertThat(invalid.errors()).anySatisfy(e -> {
                            assertThat(e.path()).isEqualTo("spec.ingress.enabled");
                            assertThat(e.message())
                                    .contains("loopback"); // the adapter's rule, or the operator's on the rendered pod
                        }));
    }

    @Test
    void secretAndConfigHashesAnnotateThePodTemplate() {
        DesiredState state = ready(hermes(""), List.of());
        Map<String, String> annotations =
                state.statefulSet().getSpec().getTemplate().getMetadata().getAnnotations();
        assertThat(annotations).containsEntry("secret.claw.prismer.ai/keys", "sha256:aa");
        assertThat(annotations.keySet()).anyMatch(k -> k.startsWith("config.claw.prismer.ai/"));
        DesiredState changed =
                ((ClawPlanner.Plan.Ready) planner.plan(hermes(""), List.of(), Map.of("keys", "sha256:bb"))).state();
        assertThat(changed.statefulSet().getSpec().getTemplate())
                .isNotEqualTo(state.statefulSet().getSpec().getTemplate());
        // Pure: same input, equal output.
        assertThat(ready(hermes(""), List.of())).isEqualTo(state);
    }

    @Test
    void imagesComeFromSpecThenOperator() {
        DesiredState state = ready(
                hermes("bridge: {image: my/bridge:2}\nchannels: [{name: team}]"),
                List.of(channel("team", "slack", "{}")));
        var init = state.statefulSet().getSpec().getTemplate().getSpec().getInitContainers();
        assertThat(init).anySatisfy(c -> assertThat(c.getImage()).isEqualTo("my/bridge:2"));
        assertThat(init).anySatisfy(c -> assertThat(c.getImage()).isEqualTo("sidecar:1"));
    }
}
