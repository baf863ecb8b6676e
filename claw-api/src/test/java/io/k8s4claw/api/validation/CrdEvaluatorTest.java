package io.k8s4claw.api.validation;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The evaluator used by the agreement tests really evaluates the CRD: it accepts good input and rejects bad input. */
class CrdEvaluatorTest {

    private static final CrdEvaluator CLAWS = CrdEvaluator.load("claws.claw.prismer.ai-v1.yml");

    private static JsonNode claw(String spec) {
        return Manifests.readYamlDocuments("""
                apiVersion: claw.prismer.ai/v1alpha1
                kind: Claw
                metadata: {name: t}
                spec:
                """ + spec.indent(2)).get(0);
    }

    @Test
    void acceptsAMinimalClaw() {
        assertThat(CLAWS.validate(claw("runtime: hermesclaw"))).isEmpty();
    }

    @Test
    void celDurationAndQuantityFunctionsWork() {
        // maxSize itself is refused as not supported yet (its own rule); the quantity comparison with size passes.
        assertThat(CLAWS.validate(claw("""
                runtime: hermesclaw
                autoUpdate: {healthTimeout: 15m}
                persistence:
                  session: {size: 5Gi, maxSize: 10Gi}
                """)))
                .extracting(CrdEvaluator.Violation::path)
                .containsExactly("spec.persistence.session.maxSize");
        List<CrdEvaluator.Violation> v = CLAWS.validate(claw("""
                runtime: hermesclaw
                autoUpdate: {healthTimeout: 45m}
                persistence:
                  session: {size: 5Gi, maxSize: 1Gi}
                """));
        assertThat(v)
                .extracting(CrdEvaluator.Violation::path)
                .containsExactlyInAnyOrder(
                        "spec.autoUpdate.healthTimeout",
                        "spec.persistence.session",
                        "spec.persistence.session.maxSize");
        assertThat(v).allMatch(CrdEvaluator.Violation::cel);
    }

    @Test
    void transitionRulesCompareWithTheOldObject() {
        JsonNode old = claw("runtime: hermesclaw\npersistence: {session: {size: 10Gi}}");
        JsonNode grown = claw("runtime: hermesclaw\npersistence: {session: {size: 20Gi}}");
        JsonNode shrunk = claw("runtime: openclaw\npersistence: {session: {size: 5Gi}}");
        assertThat(CLAWS.validate(old, grown)).isEmpty();
        assertThat(CLAWS.validate(old, shrunk))
                .extracting(CrdEvaluator.Violation::path)
                .containsExactlyInAnyOrder("spec.runtime", "spec.persistence.session.size");
        assertThat(CLAWS.validate(shrunk)).isEmpty(); // no old object: transition rules do not run
    }

    @Test
    void defaultsAreAppliedBeforeRules() {
        // lowWatermark 0.9 against the default highWatermark 0.8
        CrdEvaluator channels = CrdEvaluator.load("clawchannels.claw.prismer.ai-v1.yml");
        JsonNode ch = Manifests.readYamlDocuments("""
                apiVersion: claw.prismer.ai/v1alpha1
                kind: ClawChannel
                metadata: {name: c}
                spec: {type: slack, backpressure: {lowWatermark: "0.9"}}
                """).get(0);
        assertThat(channels.validate(ch))
                .extracting(CrdEvaluator.Violation::path)
                .containsExactly("spec.backpressure");
    }
}
