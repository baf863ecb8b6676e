package io.k8s4claw.operator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectRulesReviewBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.k8s4claw.api.runtime.RuntimeAdapters;
import io.k8s4claw.api.v1alpha1.Claw;
import io.k8s4claw.operator.app.ClawOperator;
import io.k8s4claw.operator.app.OperatorMetrics;
import io.k8s4claw.operator.desired.SidecarImages;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Two operators, one Lease: only the leader reconciles, and the standby takes over when the leader stops. */
@EnableKubernetesMockClient(crud = true)
class LeaderElectionTest {

    KubernetesMockServer server;
    KubernetesClient client;

    ClawOperator operator(String identity, OperatorMetrics metrics) {
        var election = new LeaderElectionConfiguration(
                "claw-operator-leader",
                "claw-system",
                Duration.ofSeconds(3),
                Duration.ofSeconds(2),
                Duration.ofMillis(250),
                identity,
                null,
                false);
        return new ClawOperator(
                new ClawOperator.Settings(
                        client,
                        RuntimeAdapters.of(List.of(new TestRuntimeAdapter())),
                        new SidecarImages("b:1", "c:1"),
                        Set.of(),
                        Optional.of(election),
                        Optional.empty(),
                        2),
                metrics);
    }

    static double reconciles(OperatorMetrics metrics) {
        return metrics.registry().scrape().stream()
                .filter(s -> s.getMetadata().getName().equals("claw_operator_reconciliations"))
                .flatMap(s -> s.getDataPoints().stream())
                .mapToDouble(d -> ((CounterSnapshot.CounterDataPointSnapshot) d).getValue())
                .sum();
    }

    @Test
    void onlyTheLeaderReconcilesAndTheStandbyTakesOver() {
        // JOSDK first asks the API server whether it may use Leases (SelfSubjectRulesReview); the mock cannot
        // answer that itself, so it answers what the RBAC in deploy/ grants.
        server.expect()
                .post()
                .withPath("/apis/authorization.k8s.io/v1/selfsubjectrulesreviews")
                .andReturn(
                        201,
                        new SelfSubjectRulesReviewBuilder()
                                .withNewMetadata()
                                .endMetadata()
                                .withNewSpec()
                                .withNamespace("claw-system")
                                .endSpec()
                                .withNewStatus()
                                .withIncomplete(false)
                                .addNewResourceRule()
                                .withApiGroups("coordination.k8s.io")
                                .withResources("leases")
                                .withVerbs("get", "create", "update")
                                .endResourceRule()
                                .endStatus()
                                .build())
                .always();
        OperatorMetrics metricsA = new OperatorMetrics();
        OperatorMetrics metricsB = new OperatorMetrics();
        ClawOperator a = operator("operator-a", metricsA);
        a.start();
        await().atMost(Duration.ofSeconds(20))
                .until(() -> client.leases()
                                .inNamespace("claw-system")
                                .withName("claw-operator-leader")
                                .get()
                        != null);
        ClawOperator b = operator("operator-b", metricsB);
        b.start();
        try {
            client.resource(new SecretBuilder()
                            .withNewMetadata()
                            .withName("keys")
                            .withNamespace("ns")
                            .endMetadata()
                            .addToStringData("K", "v")
                            .build())
                    .create();
            client.resource(Serialization.unmarshal("""
                    apiVersion: claw.prismer.ai/v1alpha1
                    kind: Claw
                    metadata: {name: led, namespace: ns}
                    spec:
                      runtime: hermesclaw
                      config: {model: m1}
                      credentials: {secretRef: {name: keys}}
                      persistence: {session: {size: 1Gi}}
                    """, Claw.class)).create();
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> client.apps()
                                    .statefulSets()
                                    .inNamespace("ns")
                                    .withName("led")
                                    .get()
                            != null);
            assertThat(client.leases()
                            .inNamespace("claw-system")
                            .withName("claw-operator-leader")
                            .get()
                            .getSpec()
                            .getHolderIdentity())
                    .isEqualTo("operator-a");
            // the StatefulSet is written inside the reconcile; the counter ticks when that reconcile returns
            await().atMost(Duration.ofSeconds(20)).until(() -> reconciles(metricsA) > 0);
            assertThat(reconciles(metricsB)).isZero();

            a.close();
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> "operator-b"
                            .equals(client.leases()
                                    .inNamespace("claw-system")
                                    .withName("claw-operator-leader")
                                    .get()
                                    .getSpec()
                                    .getHolderIdentity()));
            client.resources(Claw.class).inNamespace("ns").withName("led").edit(c -> {
                c.getSpec().setConfig(Serialization.unmarshal("{\"model\":\"m2\"}", JsonNode.class));
                return c;
            });
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> client.configMaps()
                            .inNamespace("ns")
                            .withName("led-runtime-config")
                            .get()
                            .getData()
                            .get("config.yaml")
                            .equals("model: m2\n"));
            await().atMost(Duration.ofSeconds(20)).until(() -> reconciles(metricsB) > 0);
        } finally {
            b.close();
        }
    }
}
