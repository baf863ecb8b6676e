package io.k8s4claw.operator.realcluster;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Plays the two node-side parts a control plane without nodes lacks, for one namespace, the way they write to the
 * apiserver — everything else (StatefulSet controller, garbage collector, PV binder, pvc-protection) is the real
 * kube-controller-manager:
 * <ul>
 *   <li>the kubelet: every pod of the namespace gets the status a kubelet reports once its containers run (phase
 *       Running, a status per container and native sidecar, the Ready condition), written to {@code pods/status};
 *       ready or not as {@link #podsBecomeReady} and {@link #notReadyContainers} say. Pods stay unscheduled
 *       ({@code nodeName} empty): the apiserver then deletes them at once, as it would a pod no kubelet holds. So
 *       they get no pod IP either (no node, no pod network): with one, the endpoint controllers write an address
 *       without a node, which the apiserver refuses, and retry it with an event each time (~15 writes per Service,
 *       load a cluster would not carry).</li>
 *   <li>a volume provisioner: every pending claim gets a pre-bound PersistentVolume of its size and class, which
 *       the real PV binder then binds.</li>
 * </ul>
 * Chosen over building kwok: the tests need to flip readiness per container at will, which kwok's stages do not
 * offer without a custom stage per case, and it saves a second Go build.
 */
public final class KubeletStandIn implements AutoCloseable {

    public final AtomicBoolean podsBecomeReady = new AtomicBoolean(true);
    /** Containers (by name) reported not ready even when pods become ready: a failing sidecar. */
    public final Set<String> notReadyContainers = ConcurrentHashMap.newKeySet();
    /**
     * Init steps (by name) that fail with this termination message, keeping the pod from starting (restarted with
     * back-off).
     */
    public final Map<String, String> failingInitContainers = new ConcurrentHashMap<>();
    /** Termination messages of init steps that complete (any other completes without one). */
    public final Map<String, String> initContainerMessages = new ConcurrentHashMap<>();
    /** Images (full reference) whose containers are reported not ready: a release whose health check fails. */
    public final Set<String> unhealthyImages = ConcurrentHashMap.newKeySet();

    private final KubernetesClient client;
    private final String namespace;
    private final SharedIndexInformer<Pod> pods;
    private final SharedIndexInformer<PersistentVolumeClaim> claims;

    public KubeletStandIn(KubernetesClient client, String namespace) {
        this(client, namespace, true);
    }

    /** {@code provisionVolumes} false leaves claims pending (the operator's readiness does not wait for them). */
    public KubeletStandIn(KubernetesClient client, String namespace, boolean provisionVolumes) {
        this.client = client;
        this.namespace = namespace;
        this.pods = client.pods().inNamespace(namespace).inform(handler(this::kubelet));
        this.claims = provisionVolumes
                ? client.persistentVolumeClaims().inNamespace(namespace).inform(handler(this::provision))
                : null;
    }

    private static <T> ResourceEventHandler<T> handler(Consumer<T> action) {
        return new ResourceEventHandler<>() {
            @Override
            public void onAdd(T obj) {
                action.accept(obj);
            }

            @Override
            public void onUpdate(T old, T obj) {
                action.accept(obj);
            }

            @Override
            public void onDelete(T obj, boolean unknown) {}
        };
    }

    /** Applies the current readiness settings to every pod again (after they changed). */
    public void resync() {
        pods.getStore().list().forEach(this::kubelet);
    }

    private void kubelet(Pod pod) {
        if (pod.getMetadata().getDeletionTimestamp() != null) {
            return;
        }
        if (pod.getStatus() != null
                && List.of("Succeeded", "Failed").contains(pod.getStatus().getPhase())) {
            return; // a pod that ran to completion (a Job's) stays so, as under a kubelet
        }
        PodStatus desired = statusFor(pod, pod.getStatus());
        if (sameReadiness(pod.getStatus(), desired)) {
            return;
        }
        Pod copy = new PodBuilder(pod).withStatus(desired).build();
        try {
            client.pods().inNamespace(namespace).resource(copy).updateStatus();
        } catch (KubernetesClientException e) {
            // a newer version of the pod is on its way; its event runs this again
        }
    }

    PodStatus statusFor(Pod pod, PodStatus current) {
        String now = Instant.now().toString();
        String started = current != null && current.getStartTime() != null ? current.getStartTime() : now;
        List<ContainerStatus> containers = new ArrayList<>();
        for (Container c : pod.getSpec().getContainers()) {
            containers.add(containerStatus(c, started));
        }
        List<ContainerStatus> sidecars = new ArrayList<>();
        List<ContainerStatus> completed = new ArrayList<>();
        for (Container c : pod.getSpec().getInitContainers()) {
            String failure = failingInitContainers.get(c.getName());
            if (failure != null) {
                // As a kubelet reports an init step in back-off: waiting, the last run terminated with its message.
                ContainerStatus failed = new ContainerStatusBuilder()
                        .withName(c.getName())
                        .withImage(c.getImage())
                        .withImageID("")
                        .withReady(false)
                        .withStarted(false)
                        .withRestartCount(1)
                        .withNewState()
                        .withNewWaiting()
                        .withReason("CrashLoopBackOff")
                        .endWaiting()
                        .endState()
                        .withNewLastState()
                        .withNewTerminated()
                        .withExitCode(3)
                        .withReason("Error")
                        .withMessage(failure)
                        .withStartedAt(started)
                        .withFinishedAt(now)
                        .endTerminated()
                        .endLastState()
                        .build();
                sidecars.add(failed);
                List<ContainerStatus> waiting = pod.getSpec().getContainers().stream()
                        .map(x -> new ContainerStatusBuilder()
                                .withName(x.getName())
                                .withImage(x.getImage())
                                .withImageID("")
                                .withReady(false)
                                .withStarted(false)
                                .withRestartCount(0)
                                .withNewState()
                                .withNewWaiting()
                                .withReason("PodInitializing")
                                .endWaiting()
                                .endState()
                                .build())
                        .toList();
                return new PodStatusBuilder()
                        .withPhase("Pending")
                        .withStartTime(started)
                        .withConditions(
                                condition("Initialized", "False", started),
                                condition("Ready", "False", now),
                                condition("ContainersReady", "False", now),
                                condition("PodScheduled", "True", started))
                        .withInitContainerStatuses(sidecars)
                        .withContainerStatuses(waiting)
                        .build();
            }
            if ("Always".equals(c.getRestartPolicy())) {
                sidecars.add(containerStatus(c, started));
            } else {
                completed.add(
                        terminated(c.getName(), c.getImage(), 0, initContainerMessages.get(c.getName()), started));
            }
        }
        boolean allReady = containers.stream().allMatch(ContainerStatus::getReady)
                && sidecars.stream().allMatch(ContainerStatus::getReady);
        String ready = allReady ? "True" : "False";
        List<PodCondition> conditions = List.of(
                condition("Initialized", "True", started),
                condition("Ready", ready, now),
                condition("ContainersReady", ready, now),
                condition("PodScheduled", "True", started));
        return new PodStatusBuilder()
                .withPhase("Running")
                .withStartTime(started)
                .withConditions(conditions)
                .withContainerStatuses(containers)
                .withInitContainerStatuses(
                        Stream.concat(completed.stream(), sidecars.stream()).toList())
                .build();
    }

    /**
     * A container that ran and ended at {@code at}, as a kubelet reports it: exit code 0 is "Completed", any other
     * "Error"; {@code message} is its termination message.
     */
    static ContainerStatus terminated(String name, String image, int exitCode, String message, String at) {
        return new ContainerStatusBuilder()
                .withName(name)
                .withImage(image)
                .withImageID("")
                .withReady(false)
                .withStarted(false)
                .withRestartCount(0)
                .withNewState()
                .withNewTerminated()
                .withExitCode(exitCode)
                .withReason(exitCode == 0 ? "Completed" : "Error")
                .withMessage(message)
                .withStartedAt(at)
                .withFinishedAt(at)
                .endTerminated()
                .endState()
                .build();
    }

    private ContainerStatus containerStatus(Container c, String started) {
        boolean ready = podsBecomeReady.get()
                && !notReadyContainers.contains(c.getName())
                && !unhealthyImages.contains(c.getImage());
        return new ContainerStatusBuilder()
                .withName(c.getName())
                .withImage(c.getImage())
                .withImageID("")
                .withReady(ready)
                .withStarted(true)
                .withRestartCount(0)
                .withNewState()
                .withNewRunning()
                .withStartedAt(started)
                .endRunning()
                .endState()
                .build();
    }

    private static PodCondition condition(String type, String status, String time) {
        return new PodConditionBuilder()
                .withType(type)
                .withStatus(status)
                .withLastTransitionTime(time)
                .build();
    }

    /** Equal when phase and every readiness flag match: timestamps alone never cause a write. */
    static boolean sameReadiness(PodStatus a, PodStatus b) {
        if (a == null || !Objects.equals(a.getPhase(), b.getPhase())) {
            return false;
        }
        return Objects.equals(readiness(a), readiness(b));
    }

    private static List<String> readiness(PodStatus s) {
        List<String> flags = new ArrayList<>();
        s.getConditions().forEach(c -> flags.add(c.getType() + "=" + c.getStatus()));
        s.getContainerStatuses().forEach(c -> flags.add(c.getName() + "=" + c.getReady()));
        s.getInitContainerStatuses().forEach(c -> flags.add("init:" + c.getName() + "=" + c.getReady()));
        return flags;
    }

    private void provision(PersistentVolumeClaim claim) {
        if (claim.getSpec().getVolumeName() != null
                && !claim.getSpec().getVolumeName().isEmpty()) {
            return;
        }
        String name = "pv-" + namespace + "-" + claim.getMetadata().getName();
        if (client.persistentVolumes().withName(name).get() != null) {
            return;
        }
        try {
            client.resource(new PersistentVolumeBuilder()
                            .withNewMetadata()
                            .withName(name)
                            .endMetadata()
                            .withNewSpec()
                            .withCapacity(claim.getSpec().getResources().getRequests())
                            .withAccessModes(claim.getSpec().getAccessModes())
                            .withStorageClassName(claim.getSpec().getStorageClassName())
                            .withPersistentVolumeReclaimPolicy("Delete")
                            .withNewHostPath()
                            .withPath("/tmp/" + name)
                            .endHostPath()
                            .withNewClaimRef()
                            .withNamespace(namespace)
                            .withName(claim.getMetadata().getName())
                            .withUid(claim.getMetadata().getUid())
                            .endClaimRef()
                            .endSpec()
                            .build())
                    .create();
        } catch (KubernetesClientException e) {
            // created meanwhile by the event of a newer version of the claim
        }
    }

    @Override
    public void close() {
        pods.close();
        if (claims != null) {
            claims.close();
        }
    }
}
