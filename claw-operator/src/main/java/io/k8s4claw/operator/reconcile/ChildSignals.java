package io.k8s4claw.operator.reconcile;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Which updates of a pod, StatefulSet or claim can change what a reconcile does: the update filters of their
 * informers. A Claw's pod, StatefulSet and claims change many times while it starts (bound to a node, addresses
 * assigned, each counter of the StatefulSet's status written on its own, the PV binder's annotations), and each event
 * was a full reconcile — rendering every child and hashing it — for nothing; at a thousand Claws that was the
 * operator's largest cost. The signals hold every field
 * the reconciler, the status and auto-update read of these objects (readiness per container, images, restart counts,
 * termination messages, rollout state, replicas and the metadata {@link ChildApplier} compares); any other change is
 * left to the next event or the periodic resync.
 */
final class ChildSignals {

    private ChildSignals() {}

    static boolean podChanged(Pod now, Pod before) {
        return !Objects.equals(pod(now), pod(before));
    }

    static boolean statefulSetChanged(StatefulSet now, StatefulSet before) {
        return !Objects.equals(statefulSet(now), statefulSet(before));
    }

    /**
     * A claim's update matters when its requested size, its capacity (the status shows it), its owner references (the
     * reclaim policy sets them), labels (which Claw it belongs to) or deletion change. Annotations, the phase and the
     * bound volume do not: the PV binder writes them (an annotation or two per claim, several times while a claim
     * waits for a volume) and no reconcile reads them.
     */
    static boolean claimChanged(PersistentVolumeClaim now, PersistentVolumeClaim before) {
        return !Objects.equals(claim(now), claim(before));
    }

    private static List<Object> claim(PersistentVolumeClaim pvc) {
        var m = pvc.getMetadata();
        List<Object> signal = new ArrayList<>();
        signal.add(m.getDeletionTimestamp());
        signal.add(m.getLabels());
        signal.add(m.getOwnerReferences());
        signal.add(
                pvc.getSpec() == null || pvc.getSpec().getResources() == null
                        ? null
                        : pvc.getSpec().getResources().getRequests());
        signal.add(pvc.getStatus() == null ? null : pvc.getStatus().getCapacity());
        return signal;
    }

    private static List<Object> pod(Pod pod) {
        List<Object> signal = metadata(pod);
        signal.add(pod.getSpec() == null ? null : images(pod.getSpec().getContainers()));
        signal.add(pod.getSpec() == null ? null : images(pod.getSpec().getInitContainers()));
        PodStatus status = pod.getStatus();
        if (status == null) {
            return signal;
        }
        signal.add(status.getPhase());
        if (status.getConditions() != null) {
            status.getConditions().forEach(c -> signal.add(c.getType() + "=" + c.getStatus()));
        }
        signal.add(containers(status.getContainerStatuses()));
        signal.add(containers(status.getInitContainerStatuses()));
        return signal;
    }

    private static List<Object> statefulSet(StatefulSet sts) {
        List<Object> signal = metadata(sts);
        signal.add(sts.getMetadata().getGeneration());
        if (sts.getSpec() != null) {
            signal.add(sts.getSpec().getReplicas());
            signal.add(
                    sts.getSpec().getTemplate() == null
                                    || sts.getSpec().getTemplate().getSpec() == null
                            ? null
                            : images(sts.getSpec().getTemplate().getSpec().getContainers()));
            signal.add(
                    sts.getSpec().getVolumeClaimTemplates() == null
                            ? null
                            : sts.getSpec().getVolumeClaimTemplates().stream()
                                    .map(t -> t.getMetadata().getName())
                                    .toList());
        }
        var s = sts.getStatus();
        if (s != null) {
            signal.add(s.getObservedGeneration());
            signal.add(s.getReadyReplicas());
            signal.add(s.getCurrentRevision());
            signal.add(s.getUpdateRevision());
        }
        return signal;
    }

    private static List<Object> metadata(HasMetadata object) {
        List<Object> signal = new ArrayList<>();
        var m = object.getMetadata();
        signal.add(m.getDeletionTimestamp());
        signal.add(m.getLabels());
        signal.add(m.getAnnotations());
        signal.add(m.getOwnerReferences());
        return signal;
    }

    private static List<String> images(List<Container> containers) {
        return containers == null
                ? List.of()
                : containers.stream().map(c -> c.getName() + "=" + c.getImage()).toList();
    }

    private static List<String> containers(List<ContainerStatus> statuses) {
        if (statuses == null) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (ContainerStatus c : statuses) {
            out.add(c.getName() + " ready=" + c.getReady() + " restarts=" + c.getRestartCount() + " image="
                    + c.getImage() + " state=" + state(c.getState()) + " last=" + state(c.getLastState()));
        }
        return out;
    }

    private static String state(ContainerState state) {
        if (state == null) {
            return "";
        }
        if (state.getTerminated() != null) {
            return "terminated " + state.getTerminated().getExitCode() + " "
                    + state.getTerminated().getReason() + " "
                    + state.getTerminated().getMessage();
        }
        if (state.getWaiting() != null) {
            return "waiting " + state.getWaiting().getReason();
        }
        return state.getRunning() != null ? "running" : "";
    }
}
