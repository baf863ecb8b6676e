package io.k8s4claw.operator.reconcile;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Readiness of each container of a Claw's pod (runtime, bridge, channel sidecars) from the pod's status. Without
 * a pod (not created yet, or not visible) every container counts as ready exactly when the StatefulSet says its
 * pod is ready — a ready pod implies all its containers, native sidecars included, are ready.
 */
record PodReadiness(Optional<Pod> pod, boolean statefulSetReady) {

    boolean ready(String container) {
        if (pod.isEmpty() || pod.get().getStatus() == null) {
            return statefulSetReady;
        }
        var status = pod.get().getStatus();
        List<ContainerStatus> all = Stream.concat(
                        status.getContainerStatuses() == null ? Stream.empty() : status.getContainerStatuses().stream(),
                        status.getInitContainerStatuses() == null
                                ? Stream.empty()
                                : status.getInitContainerStatuses().stream())
                .toList();
        return all.stream()
                .filter(c -> container.equals(c.getName()))
                .findFirst()
                .map(c -> Boolean.TRUE.equals(c.getReady()))
                .orElse(false);
    }
}
