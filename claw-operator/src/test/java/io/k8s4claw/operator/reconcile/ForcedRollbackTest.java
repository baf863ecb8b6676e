package io.k8s4claw.operator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.k8s4claw.api.v1alpha1.AutoUpdateStatus;
import io.k8s4claw.api.v1alpha1.VersionHistoryEntry;
import io.k8s4claw.api.v1alpha1.VersionHistoryStatus;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The pod is deleted only when it is stuck, not ready, on exactly the release the last attempt rolled back from. */
@EnableKubernetesMockClient(crud = true)
class ForcedRollbackTest {

    KubernetesClient client;

    static final String GOOD = "ghcr.io/zeroclaw-labs/zeroclaw:v0.8.2";
    static final String BAD = "ghcr.io/zeroclaw-labs/zeroclaw:v0.8.3";

    Pod pod(String image, boolean ready) {
        return client.resource(new PodBuilder()
                        .withNewMetadata()
                        .withName("agent-0")
                        .withNamespace("ns")
                        .endMetadata()
                        .withNewSpec()
                        .addNewContainer()
                        .withName("zeroclaw")
                        .withImage(image)
                        .endContainer()
                        .endSpec()
                        .withNewStatus()
                        .addNewContainerStatus()
                        .withName("zeroclaw")
                        .withReady(ready)
                        .endContainerStatus()
                        .endStatus()
                        .build())
                .createOr(p -> p.update());
    }

    static AutoUpdateStatus after(VersionHistoryStatus outcome, String version, String pending) {
        VersionHistoryEntry e = new VersionHistoryEntry();
        e.setVersion(version);
        e.setStatus(outcome);
        AutoUpdateStatus s = new AutoUpdateStatus();
        s.setVersionHistory(List.of(e));
        s.setPendingVersion(pending);
        return s;
    }

    boolean run(Pod pod, AutoUpdateStatus status) {
        return ForcedRollback.deleteStuckPod(client, Optional.of(pod), "zeroclaw", GOOD, status);
    }

    @Test
    void deletesAPodStuckOnTheRolledBackRelease() {
        Pod stuck = pod(BAD, false);
        assertThat(run(stuck, after(VersionHistoryStatus.ROLLED_BACK, "v0.8.3", null)))
                .isTrue();
        assertThat(client.pods().inNamespace("ns").withName("agent-0").get()).isNull();
    }

    @Test
    void leavesEveryOtherPodAlone() {
        assertThat(run(pod(BAD, true), after(VersionHistoryStatus.ROLLED_BACK, "v0.8.3", null)))
                .as("ready")
                .isFalse();
        assertThat(run(pod(GOOD, false), after(VersionHistoryStatus.ROLLED_BACK, "v0.8.3", null)))
                .as("already on the good release")
                .isFalse();
        assertThat(run(pod(BAD, false), after(VersionHistoryStatus.HEALTHY, "v0.8.3", null)))
                .as("no rollback")
                .isFalse();
        assertThat(run(pod(BAD, false), after(VersionHistoryStatus.ROLLED_BACK, "v0.8.3", "v0.8.4")))
                .as("a trial runs")
                .isFalse();
        assertThat(run(
                        pod("ghcr.io/zeroclaw-labs/zeroclaw:v0.8.1", false),
                        after(VersionHistoryStatus.ROLLED_BACK, "v0.8.3", null)))
                .as("another release")
                .isFalse();
        assertThat(client.pods().inNamespace("ns").withName("agent-0").get()).isNotNull();
    }
}
