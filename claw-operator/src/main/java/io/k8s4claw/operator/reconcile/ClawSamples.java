package io.k8s4claw.operator.reconcile;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.k8s4claw.api.v1alpha1.AutoUpdateStatus;
import io.k8s4claw.api.v1alpha1.Claw;
import io.k8s4claw.api.v1alpha1.ClawApi;
import io.k8s4claw.api.v1alpha1.ClawStatus;
import io.k8s4claw.operator.app.ClawGauges;
import java.util.List;
import java.util.Optional;

/** What the per-Claw metrics show of a Claw: from the status the reconciler computed and the Claw's pod. */
final class ClawSamples {

    private ClawSamples() {}

    static ClawGauges.Sample of(Claw claw, ClawStatus status, Optional<Pod> pod) {
        boolean ready = status.getConditions() != null
                && status.getConditions().stream()
                        .anyMatch(c -> ClawApi.CONDITION_READY.equals(c.getType()) && "True".equals(c.getStatus()));
        AutoUpdateStatus update = status.getAutoUpdate();
        Optional<Container> runtime = pod.map(Pod::getSpec)
                .map(s -> s.getContainers())
                .filter(c -> !c.isEmpty())
                .map(c -> c.get(0));
        String version = update != null && update.getCurrentVersion() != null
                ? update.getCurrentVersion()
                : runtime.map(Container::getImage).map(ClawSamples::tag).orElse("");
        int restarts = runtime.flatMap(
                        c -> pod.map(Pod::getStatus).map(s -> s.getContainerStatuses()).orElse(List.of()).stream()
                                .filter(s -> c.getName().equals(s.getName()))
                                .findFirst())
                .map(ContainerStatus::getRestartCount)
                .orElse(0);
        return new ClawGauges.Sample(
                status.getPhase() == null ? "" : status.getPhase().wireValue(),
                ready,
                claw.getSpec().getRuntime() == null
                        ? ""
                        : claw.getSpec().getRuntime().wireValue(),
                version,
                restarts,
                update != null && update.getRollbackCount() != null ? update.getRollbackCount() : 0,
                update != null && Boolean.TRUE.equals(update.getCircuitOpen()));
    }

    /** The tag of an image reference ({@code repo:tag} or {@code repo:tag@digest}; "" when it has none). */
    static String tag(String image) {
        String ref = image.contains("@") ? image.substring(0, image.indexOf('@')) : image;
        int colon = ref.lastIndexOf(':');
        return colon > ref.lastIndexOf('/') ? ref.substring(colon + 1) : "";
    }
}
