package io.k8s4claw.operator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.k8s4claw.api.runtime.RuntimeAdapters;
import io.k8s4claw.api.v1alpha1.ClawChannel;
import io.k8s4claw.operator.app.ClawOperator;
import io.k8s4claw.operator.app.OperatorMetrics;
import io.k8s4claw.operator.desired.SidecarImages;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The ClawChannel reconciler's metrics tell a failed reconcile from a successful one. */
@EnableKubernetesMockClient(crud = true)
class ClawChannelReconcilerMetricsTest {
    static final Duration TIMEOUT = Duration.ofSeconds(20);
    static final String NS = "team-a";

    KubernetesMockServer server;
    KubernetesClient client;
    KubernetesClient operatorClient;
    ClawOperator operator;
    final OperatorMetrics metrics = new OperatorMetrics();

    void startOperator() {
        operatorClient = new KubernetesClientBuilder()
                .withConfig(new ConfigBuilder(client.getConfiguration()).build())
                .build();
        operator = new ClawOperator(
                new ClawOperator.Settings(
                        operatorClient,
                        RuntimeAdapters.of(List.of()),
                        new SidecarImages(
                                "ghcr.io/k8s4claw/claw-ipc-bridge:test", "ghcr.io/k8s4claw/claw-channel-sidecar:test"),
                        Set.of(),
                        Optional.empty(),
                        Optional.of(Duration.ofMillis(500)),
                        4),
                metrics);
        operator.start();
    }

    @AfterEach
    void stop() {
        if (operator != null) operator.close();
        if (operatorClient != null) operatorClient.close();
    }

    @Test
    void aReconcileWhoseStatusWriteFailsIsCountedAsAnError() {
        // The API server refuses every status write of this channel (the expectation is served before CRUD).
        String statusPath = "/apis/claw.prismer.ai/v1alpha1/namespaces/" + NS + "/clawchannels/slack-team/status";
        server.expect()
                .put()
                .withPath(statusPath)
                .andReturn(500, "{\"kind\":\"Status\",\"code\":500,\"message\":\"etcd down\"}")
                .always();
        server.expect()
                .patch()
                .withPath(statusPath)
                .andReturn(500, "{\"kind\":\"Status\",\"code\":500,\"message\":\"etcd down\"}")
                .always();
        client.resource(ClawOperatorScenarios.slack(NS)).create();
        startOperator();

        await().atMost(TIMEOUT).until(() -> count("claw_operator_reconciliation_errors") >= 1);
        assertThat(count("claw_operator_reconciliations"))
                .isGreaterThanOrEqualTo(count("claw_operator_reconciliation_errors"));
    }

    @Test
    void aSuccessfulReconcileIsNotAnError() {
        client.resource(ClawOperatorScenarios.slack(NS)).create();
        startOperator();

        await().atMost(TIMEOUT).until(() -> {
            ClawChannel c = client.resources(ClawChannel.class)
                    .inNamespace(NS)
                    .withName("slack-team")
                    .get();
            return c.getStatus() != null && c.getStatus().getObservedGeneration() != null;
        });
        await().atMost(TIMEOUT).until(() -> count("claw_operator_reconciliations") >= 1);
        assertThat(count("claw_operator_reconciliation_errors")).isZero();
    }

    /** The ClawChannel data point of a counter (0 when it has none yet). */
    double count(String counter) {
        return metrics.registry().scrape().stream()
                .filter(s -> s.getMetadata().getName().equals(counter))
                .flatMap(s -> s.getDataPoints().stream())
                .filter(d -> "ClawChannel".equals(d.getLabels().get("kind")))
                .mapToDouble(d -> ((CounterDataPointSnapshot) d).getValue())
                .sum();
    }
}
