package io.k8s4claw.operator.reconcile;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.k8s4claw.api.v1alpha1.AutoUpdateStatus;
import io.k8s4claw.api.v1alpha1.VersionHistoryEntry;
import io.k8s4claw.api.v1alpha1.VersionHistoryStatus;
import java.util.List;
import java.util.Optional;

/**
 * The second half of an auto-update rollback. Reverting the StatefulSet's template is not enough: with
 * {@code OrderedReady} the StatefulSet controller waits for the pod it has to be Ready before it replaces it, and a
 * pod running a release that never becomes ready never is — the rollback would hang. Kubernetes documents the way out
 * ("forced rollback"): after reverting the template, delete the pod that runs the bad release; the controller then
 * makes it again from the reverted template. Only that pod, only when it still runs the release the last attempt
 * rolled back from, and only while it is not ready.
 */
final class ForcedRollback {

    private ForcedRollback() {}

    /** Deletes the pod when it is stuck on the rolled-back release; returns whether it did. */
    static boolean deleteStuckPod(
            KubernetesClient client,
            Optional<Pod> pod,
            String runtimeContainer,
            String desiredImage,
            AutoUpdateStatus status) {
        if (pod.isEmpty()
                || status == null
                || status.getVersionHistory() == null
                || status.getVersionHistory().isEmpty()
                || status.getPendingVersion() != null) {
            return false;
        }
        List<VersionHistoryEntry> history = status.getVersionHistory();
        VersionHistoryEntry last = history.get(history.size() - 1);
        if (last.getStatus() != VersionHistoryStatus.ROLLED_BACK) {
            return false;
        }
        Pod p = pod.get();
        if (p.getMetadata().getDeletionTimestamp() != null) {
            return false;
        }
        String running = p.getSpec().getContainers().stream()
                .filter(c -> c.getName().equals(runtimeContainer))
                .map(c -> c.getImage())
                .findFirst()
                .orElse(null);
        boolean stuckOnFailed =
                running != null && !running.equals(desiredImage) && running.endsWith(":" + last.getVersion());
        boolean ready = new PodReadiness(pod, false).ready(runtimeContainer);
        if (!stuckOnFailed || ready) {
            return false;
        }
        client.pods()
                .inNamespace(p.getMetadata().getNamespace())
                .withName(p.getMetadata().getName())
                .delete();
        return true;
    }
}
