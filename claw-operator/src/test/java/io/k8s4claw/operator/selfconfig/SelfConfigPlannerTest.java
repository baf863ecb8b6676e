package io.k8s4claw.operator.selfconfig;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.k8s4claw.api.runtime.RuntimeAdapters;
import io.k8s4claw.api.v1alpha1.Claw;
import io.k8s4claw.api.v1alpha1.ClawSelfConfigSpec;
import io.k8s4claw.api.v1alpha1.SelfConfigEnvVar;
import io.k8s4claw.operator.desired.ClawPlanner;
import io.k8s4claw.operator.desired.SidecarImages;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.Test;

/** {@link SelfConfigPlanner} alone: the decisions the real-apiserver tests do not spell out, as a pure function. */
class SelfConfigPlannerTest {

    final SelfConfigPlanner planner =
            new SelfConfigPlanner(new ClawPlanner(RuntimeAdapters.load(), SidecarImages.defaults())::validate);
    final SkillCatalog catalog = new SkillCatalog(Map.of("release-notes", "team-skills"));

    static Claw claw(String extra) {
        return Serialization.unmarshal("""
                apiVersion: claw.prismer.ai/v1alpha1
                kind: Claw
                metadata: {name: agent, namespace: ns}
                spec:
                  runtime: hermesclaw
                  config: {model: nous-hermes-3, skills: {note: plain}}
                  credentials: {secretRef: {name: llm}}
                  selfConfigure: {enabled: true, allowedActions: [skills, config, envVars]}
                """ + extra, Claw.class);
    }

    SelfConfigDecision decide(Claw claw, Consumer<ClawSelfConfigSpec> spec) {
        ClawSelfConfigSpec s = new ClawSelfConfigSpec();
        s.setClawRef("agent");
        spec.accept(s);
        return planner.decide(s, "ns", claw, catalog, Set.of());
    }

    @Test
    void aValueIsJsonWhenItParsesAsJsonElseTheString() {
        assertThat(SelfConfigPlanner.parse("true").isBoolean()).isTrue();
        assertThat(SelfConfigPlanner.parse("3").intValue()).isEqualTo(3);
        assertThat(SelfConfigPlanner.parse("{\"a\":1}").path("a").intValue()).isEqualTo(1);
        assertThat(SelfConfigPlanner.parse("claude-sonnet-4").textValue()).isEqualTo("claude-sonnet-4");
        assertThat(SelfConfigPlanner.parse("123abc").textValue())
                .as("no trailing garbage read as a number")
                .isEqualTo("123abc");
        assertThat(SelfConfigPlanner.parse("null").isNull()).isTrue();
    }

    @Test
    void theMergePatchHoldsOnlyThePatchedConfigKeys() {
        var apply =
                (SelfConfigDecision.Apply) decide(claw(""), s -> s.setConfigPatch(Map.of("memoryEnabled", "false")));
        assertThat(apply.specPatch().toString()).isEqualTo("{\"config\":{\"memoryEnabled\":false}}");
        JsonNode config = apply.patched().getSpec().getConfig();
        assertThat(config.path("model").asText()).isEqualTo("nous-hermes-3");
        assertThat(config.path("memoryEnabled").booleanValue()).isFalse();
    }

    @Test
    void aKeyPathThroughAValueOrNotAPathIsDenied() {
        assertThat(decide(claw(""), s -> s.setConfigPatch(Map.of("model.name", "x"))))
                .isEqualTo(new SelfConfigDecision.Deny(
                        "configPatch.model.name: model is string, not a map; nothing was changed"));
        assertThat(((SelfConfigDecision.Deny) decide(claw(""), s -> s.setConfigPatch(Map.of("a..b", "x")))).reason())
                .startsWith("configPatch.a..b: not a key path");
    }

    @Test
    void skillsAreNotDuplicatedAndASkillOfTheSameNameFromElsewhereIsDenied() {
        String installed = "  skills: [{name: release-notes, configMapRef: {name: team-skills, key: release-notes}}]\n";
        var again = (SelfConfigDecision.Apply) decide(claw(installed), s -> s.setAddSkills(List.of("release-notes")));
        assertThat(again.patched().getSpec().getSkills()).hasSize(1);
        String inline = "  skills: [{name: release-notes, inline: \"# mine\"}]\n";
        assertThat(((SelfConfigDecision.Deny) decide(claw(inline), s -> s.setAddSkills(List.of("release-notes"))))
                        .reason())
                .startsWith("addSkills: a skill named release-notes is installed already from another source");
    }

    @Test
    void anAddedVariableReplacesAPlainValueAndRemovingKeepsTheOthers() {
        String env = "  env: [{name: LOG_LEVEL, value: info}, {name: MODE, value: a}]\n";
        var apply = (SelfConfigDecision.Apply) decide(claw(env), s -> {
            s.setAddEnvVars(List.of(new SelfConfigEnvVar("LOG_LEVEL", "debug")));
            s.setRemoveEnvVars(List.of("MODE"));
        });
        assertThat(apply.patched().getSpec().getEnv())
                .extracting(EnvVar::getName, EnvVar::getValue)
                .containsExactly(Tuple.tuple("LOG_LEVEL", "debug"));
    }

    @Test
    void onlyProblemsTheRequestIntroducesDenyIt() {
        // The owner's Claw is already invalid (a string where Hermes wants a boolean): the agent's unrelated change
        // still applies.
        Claw broken = claw("");
        ((ObjectNode) broken.getSpec().getConfig()).put("curatorEnabled", "yes");
        assertThat(decide(broken, s -> s.setConfigPatch(Map.of("memoryEnabled", "true"))))
                .isInstanceOf(SelfConfigDecision.Apply.class);
        assertThat(decide(broken, s -> s.setConfigPatch(Map.of("autoPrune", "\"often\""))))
                .isInstanceOf(SelfConfigDecision.Deny.class);
    }
}
