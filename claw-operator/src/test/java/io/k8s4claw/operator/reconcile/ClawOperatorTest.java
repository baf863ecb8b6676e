package io.k8s4claw.operator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.k8s4claw.api.runtime.RuntimeAdapters;
import io.k8s4claw.api.v1alpha1.Claw;
import io.k8s4claw.api.v1alpha1.ClawChannel;
import io.k8s4claw.operator.app.ClawOperator;
import io.k8s4claw.operator.app.OperatorMetrics;
import io.k8s4claw.operator.desired.SidecarImages;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * The operator scenarios against the fabric8 mock API server in CRUD mode (server-side apply off), with
 * {@link ClusterEmulation} standing in for the StatefulSet controller and the garbage collector. Kept beside the
 * real-apiserver run for what only the mock can show: it records every request, and it accepts resources the
 * CRD's own rules would refuse, so the operator's validation of them is exercised too.
 */
@EnableKubernetesMockClient(crud = true)
class ClawOperatorTest extends ClawOperatorScenarios {

    static final String NS = "team-a";

    KubernetesMockServer server;
    KubernetesClient mockClient;

    KubernetesClient operatorClient;
    ClusterEmulation emulation;
    RequestLog log;

    @BeforeEach
    void startOperator() {
        ns = NS;
        client = mockClient;
        operatorClient = new KubernetesClientBuilder()
                .withConfig(new ConfigBuilder(client.getConfiguration())
                        .withUserAgent(RequestLog.OPERATOR_AGENT)
                        .build())
                .build();
        metrics = new OperatorMetrics();
        operator = new ClawOperator(
                new ClawOperator.Settings(
                        operatorClient,
                        RuntimeAdapters.of(List.of(new TestRuntimeAdapter())),
                        new SidecarImages(
                                "ghcr.io/k8s4claw/claw-ipc-bridge:test", "ghcr.io/k8s4claw/claw-channel-sidecar:test"),
                        Set.of(),
                        Optional.empty(),
                        Optional.of(Duration.ofMillis(500)),
                        4),
                metrics);
        emulation = new ClusterEmulation(client);
        log = new RequestLog(server);
        operator.start();
    }

    @AfterEach
    void stop() {
        operator.close();
        emulation.close();
        operatorClient.close();
    }

    static ClawChannel slack() {
        return slack(NS);
    }

    @Override
    protected Cluster cluster() {
        return new Cluster() {
            @Override
            public void podsBecomeReady(boolean ready) {
                emulation.podsBecomeReady.set(ready);
            }

            @Override
            public Set<String> notReadyContainers() {
                return emulation.notReadyContainers;
            }

            @Override
            public void resync() {
                emulation.resyncStatefulSets();
            }

            @Override
            public void collectGarbage() {
                emulation.collectGarbage();
            }

            @Override
            public void mark() {
                log.mark();
            }

            @Override
            public List<String> operatorWrites() {
                return log.operatorWrites();
            }
        };
    }

    @Override
    protected Claw invalidClaw() {
        // The mock enforces no CRD rules: the duplicate channel and the ingress without host reach the operator.
        Claw bad = claw("broken", "channels:\n  - name: slack-team\n  - name: slack-team\ningress:\n  enabled: true");
        bad.getSpec().setConfig(Serialization.unmarshal("{\"learningEnabled\":true}", JsonNode.class));
        return bad;
    }

    @Override
    protected List<String> invalidClawMessages() {
        return List.of(
                "spec.config.model: required",
                "spec.channels[1].name: channel 'slack-team' is listed twice",
                "spec.ingress.host: required");
    }

    @Override
    protected void shrinkIsRefused(String name) {
        awaitQuiet();
        log.mark();
        String stsVersion = sts(name).getMetadata().getResourceVersion();
        edit(name, c -> c.getSpec().getPersistence().getSession().setSize("1Gi"));
        await().atMost(TIMEOUT).until(() -> "False".equals(condition(get(name), "ConfigValid")));
        // An invalid change changes nothing but the Claw's status (and an event).
        assertThat(log.operatorWrites())
                .allMatch(w -> w.endsWith("/claws/" + name + "/status") || w.contains("/events"));
        assertThat(sts(name).getMetadata().getResourceVersion()).isEqualTo(stsVersion);
        assertThat(get(name).getStatus().getConditions())
                .anySatisfy(c -> assertThat(c.getMessage())
                        .contains("spec.persistence.session.size: volumes can grow but not shrink"));
        assertThat(client.persistentVolumeClaims()
                        .inNamespace(ns)
                        .withName("session-" + name + "-0")
                        .get()
                        .getSpec()
                        .getResources()
                        .getRequests()
                        .get("storage"))
                .isEqualTo(new Quantity("8Gi"));
    }
}
