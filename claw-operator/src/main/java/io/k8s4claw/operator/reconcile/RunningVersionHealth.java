package io.k8s4claw.operator.reconcile;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.k8s4claw.operator.update.AutoUpdateMachine;
import java.util.Optional;

/**
 * Is the version the StatefulSet runs healthy? What auto-update waits for after rolling a new version: the
 * StatefulSet has rolled its current template out, that template's runtime image has the tag in question, the pod is
 * Ready, and its runtime container is ready and runs that image. The runtime container's readiness is the runtime's
 * own health: every adapter's readiness probe is the runtime's health endpoint (Hermes {@code /health}, OpenClaw
 * {@code /readyz}, ZeroClaw {@code /health}...).
 */
final class RunningVersionHealth {

    private RunningVersionHealth() {}

    static AutoUpdateMachine.Health of(Optional<StatefulSet> statefulSet, Optional<Pod> pod, String tag) {
        if (statefulSet.isEmpty() || tag == null) {
            return new AutoUpdateMachine.Health(false, "no StatefulSet yet");
        }
        StatefulSet sts = statefulSet.get();
        Container runtime =
                sts.getSpec().getTemplate().getSpec().getContainers().get(0);
        if (!runtime.getImage().endsWith(":" + tag)) {
            return new AutoUpdateMachine.Health(false, "the StatefulSet does not run " + tag + " yet");
        }
        if (!ClawStatusBuilder.rolledOutAndReady(sts)) {
            return new AutoUpdateMachine.Health(false, "the StatefulSet has not rolled out a ready pod of " + tag);
        }
        boolean podRunsIt = pod.map(p -> p.getSpec().getContainers().stream()
                        .filter(c -> c.getName().equals(runtime.getName()))
                        .anyMatch(c -> runtime.getImage().equals(c.getImage())))
                .orElse(false);
        if (!podRunsIt) {
            return new AutoUpdateMachine.Health(false, "the pod does not run " + tag + " yet");
        }
        boolean podReady = pod.get().getStatus() != null
                && pod.get().getStatus().getConditions() != null
                && pod.get().getStatus().getConditions().stream()
                        .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
        if (!podReady) {
            return new AutoUpdateMachine.Health(
                    false, "pod " + pod.get().getMetadata().getName() + " is not Ready");
        }
        if (!new PodReadiness(pod, true).ready(runtime.getName())) {
            return new AutoUpdateMachine.Health(
                    false, "container " + runtime.getName() + " is not ready (the runtime's health check fails)");
        }
        return new AutoUpdateMachine.Health(true, "pod Ready, container " + runtime.getName() + " ready on " + tag);
    }
}
