package io.k8s4claw.operator.realcluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.k8s4claw.api.runtime.RuntimeAdapters;
import io.k8s4claw.api.v1alpha1.Claw;
import io.k8s4claw.operator.app.ClawOperator;
import io.k8s4claw.operator.app.OperatorMetrics;
import io.k8s4claw.operator.desired.SidecarImages;
import io.k8s4claw.operator.reconcile.ClawOperatorScenarios;
import io.k8s4claw.operator.reconcile.TestRuntimeAdapter;
import io.k8s4claw.operator.reconcile.WritePath;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The operator scenarios on a real kube-apiserver with kube-controller-manager ({@link RealCluster}): the real
 * StatefulSet controller makes the pods and claims, the real garbage collector deletes children by owner reference,
 * the CRD's schema and CEL rules are enforced by the apiserver, every namespace enforces the {@code restricted} Pod
 * Security Standard, and the operator is the deployed ServiceAccount held to {@code deploy/rbac/cluster-wide.yaml}.
 * Writes are counted from the apiserver's audit log. {@link KubeletStandIn} reports pods ready.
 */
public class ClawOperatorOnRealApiServerTest extends ClawOperatorScenarios {

    RealCluster real;
    KubeletStandIn kubelet;
    KubernetesClient operatorClient;
    long testStart;
    long mark;
    String operatorUser;

    /** How the operator writes changed children. */
    protected WritePath writePath() {
        return WritePath.UPDATE;
    }

    /** The operator's identity: the cluster-wide ServiceAccount of {@code deploy/rbac/cluster-wide.yaml}. */
    protected KubernetesClient operatorClientFor(String namespace) {
        operatorUser = RealCluster.OPERATOR_USER;
        return real.operatorClient();
    }

    @BeforeEach
    void startOperator() {
        real = RealCluster.shared();
        testStart = real.audit().mark();
        mark = testStart;
        ns = real.newNamespace("claws");
        client = real.adminClient();
        kubelet = new KubeletStandIn(client, ns);
        operatorClient = operatorClientFor(ns);
        metrics = new OperatorMetrics();
        operator = new ClawOperator(
                new ClawOperator.Settings(
                        operatorClient,
                        RuntimeAdapters.of(List.of(new TestRuntimeAdapter())),
                        new SidecarImages(
                                "ghcr.io/k8s4claw/claw-ipc-bridge:test", "ghcr.io/k8s4claw/claw-channel-sidecar:test"),
                        Set.of(ns),
                        Optional.empty(),
                        Optional.of(Duration.ofMillis(500)),
                        4,
                        writePath()),
                metrics);
        operator.start();
    }

    @AfterEach
    void stop() {
        try {
            // The deployed RBAC is enough for everything the test made the operator do.
            assertThat(real.refusals(testStart, operatorUser)).isEmpty();
            // The pods the StatefulSet controller made were admitted under the restricted policy.
            assertThat(client.v1().events().inNamespace(ns).list().getItems())
                    .noneMatch(e -> "FailedCreate".equals(e.getReason()));
        } finally {
            operator.close();
            kubelet.close();
            operatorClient.close();
            client.close();
        }
    }

    @Override
    protected Cluster cluster() {
        return new Cluster() {
            @Override
            public void podsBecomeReady(boolean ready) {
                kubelet.podsBecomeReady.set(ready);
            }

            @Override
            public Set<String> notReadyContainers() {
                return kubelet.notReadyContainers;
            }

            @Override
            public void resync() {
                kubelet.resync();
            }

            @Override
            public void collectGarbage() {
                // kube-controller-manager's garbage collector runs by itself
            }

            @Override
            public void mark() {
                mark = real.audit().mark();
            }

            @Override
            public List<String> operatorWrites() {
                return real.writes(mark, operatorUser, ns);
            }
        };
    }

    @Override
    protected Claw invalidClaw() {
        // Only what the CRD cannot know: the runtime's own config schema (Hermes needs a model).
        Claw bad = claw("broken", "channels:\n  - name: slack-team");
        bad.getSpec().setConfig(Serialization.unmarshal("{\"learningEnabled\":true}", JsonNode.class));
        return bad;
    }

    @Override
    protected List<String> invalidClawMessages() {
        return List.of("spec.config.model: required");
    }

    @Override
    protected void shrinkIsRefused(String name) {
        // The CRD's transition rule refuses the shrink at the apiserver: the operator never sees it. A merge patch
        // (no resourceVersion): an edit could meet the operator's status write first and fail with a 409 instead.
        assertThatThrownBy(() -> client.resources(Claw.class)
                        .inNamespace(ns)
                        .withName(name)
                        .patch(
                                PatchContext.of(PatchType.JSON_MERGE),
                                "{\"spec\":{\"persistence\":{\"session\":{\"size\":\"1Gi\"}}}}"))
                .isInstanceOf(KubernetesClientException.class)
                .hasMessageContaining("spec.persistence.session.size")
                .hasMessageContaining("shrink");
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

    @Test
    void deletingAClawLeavesItsChildrenToTheGarbageCollector() {
        createRunning("collected");
        cluster().mark();
        client.resources(Claw.class).inNamespace(ns).withName("collected").delete();
        await().atMost(TIMEOUT)
                .until(() -> get("collected") == null
                        && sts("collected") == null
                        && client.configMaps()
                                        .inNamespace(ns)
                                        .withName("collected-runtime-config")
                                        .get()
                                == null
                        && client.secrets()
                                        .inNamespace(ns)
                                        .withName("collected-api-server-key")
                                        .get()
                                == null
                        && client.services()
                                        .inNamespace(ns)
                                        .withName("collected")
                                        .get()
                                == null);
        // The operator deleted none of them itself: owner references did (its only write is the finalizer's removal).
        assertThat(cluster().operatorWrites()).noneMatch(w -> w.startsWith("DELETE"));
        assertThat(real.audit().since(mark).stream()
                        .filter(r -> r.isWrite()
                                && r.verb().equals("delete")
                                && r.path().contains("/namespaces/" + ns + "/"))
                        .map(r -> r.username()))
                .contains("system:serviceaccount:kube-system:generic-garbage-collector");
        // Retain (the default): the claim stays.
        assertThat(client.persistentVolumeClaims()
                        .inNamespace(ns)
                        .withName("session-collected-0")
                        .get())
                .isNotNull();
    }
}
