package io.k8s4claw.operator.realcluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.k8s4claw.operator.reconcile.WritePath;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The scenarios with the operator writing changed children by server-side apply (field manager {@code claw-operator})
 * on the real apiserver — the write path compared with the default one in {@code OperatorConvergenceBenchmark}.
 */
class ClawOperatorServerSideApplyTest extends ClawOperatorOnRealApiServerTest {

    @Override
    protected WritePath writePath() {
        return WritePath.SERVER_SIDE_APPLY;
    }

    @Override
    protected String updateMethod() {
        return "PATCH";
    }

    @Test
    void aLabelAnotherManagerSetsSurvivesTheOperatorsNextApply() {
        createRunning("shared");
        // A GitOps tool (another field manager) labels the StatefulSet.
        client.apps().statefulSets().inNamespace(ns).withName("shared").edit(s -> {
            s.getMetadata().getLabels().put("team.example.com/cost-center", "agents");
            return s;
        });
        // A spec change makes the operator apply the StatefulSet again.
        edit(
                "shared",
                c -> c.getSpec().setConfig(Serialization.unmarshal("{\"model\":\"nous-hermes-4\"}", JsonNode.class)));
        await().atMost(TIMEOUT)
                .until(() -> "model: nous-hermes-4\n"
                                .equals(client.configMaps()
                                        .inNamespace(ns)
                                        .withName("shared-runtime-config")
                                        .get()
                                        .getData()
                                        .get("config.yaml"))
                        && !sts("shared").getMetadata().getManagedFields().isEmpty());
        await().atMost(TIMEOUT)
                .until(() ->
                        "Running".equals(get("shared").getStatus().getPhase().wireValue()));
        StatefulSet sts = sts("shared");
        Map<String, String> labels = sts.getMetadata().getLabels();
        assertThat(labels).containsEntry("team.example.com/cost-center", "agents");
        assertThat(sts.getMetadata().getManagedFields())
                .anySatisfy(f -> assertThat(f.getManager()).isEqualTo("claw-operator"));
    }
}
