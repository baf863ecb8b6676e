package io.k8s4claw.operator.reconcile;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.k8s4claw.api.v1alpha1.Claw;
import io.k8s4claw.api.v1alpha1.ClawChannel;
import io.k8s4claw.operator.desired.Hashes;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

/**
 * What Kubernetes would do that the mock API server does not: the StatefulSet controller (claims from
 * volumeClaimTemplates, a revision per template, a ready pod when {@link #podsBecomeReady} is on) and garbage
 * collection of objects whose owner is gone. Runs with its own client, so its requests are not the operator's.
 */
public final class ClusterEmulation implements AutoCloseable {

    final AtomicBoolean podsBecomeReady = new AtomicBoolean(true);
    /** Containers (by name) the kubelet reports not ready even when pods become ready: a failing sidecar. */
    final Set<String> notReadyContainers = ConcurrentHashMap.newKeySet();

    private final KubernetesClient client;
    private final SharedIndexInformer<StatefulSet> informer;
    private static final KubernetesSerialization JSON = new KubernetesSerialization();

    public ClusterEmulation(KubernetesClient client) {
        this.client = client;
        this.informer = client.apps().statefulSets().inAnyNamespace().inform(new ResourceEventHandler<>() {
            @Override
            public void onAdd(StatefulSet sts) {
                statefulSetController(sts);
            }

            @Override
            public void onUpdate(StatefulSet old, StatefulSet sts) {
                statefulSetController(sts);
            }

            @Override
            public void onDelete(StatefulSet sts, boolean unknown) {}
        });
    }

    /** The revision the StatefulSet controller would compute: a hash of the pod template. */
    static String revision(StatefulSet sts) {
        return sts.getMetadata().getName() + "-"
                + Hashes.ofString(JSON.asJson(sts.getSpec().getTemplate())).substring(7, 17);
    }

    /** Claims this controller made (it never forgets one, like the StatefulSet controller with Retain). */
    private final Set<String> claimsMade = new HashSet<>();

    private synchronized void statefulSetController(StatefulSet sts) {
        String ns = sts.getMetadata().getNamespace();
        for (PersistentVolumeClaim template : sts.getSpec().getVolumeClaimTemplates()) {
            String name =
                    template.getMetadata().getName() + "-" + sts.getMetadata().getName() + "-0";
            if (claimsMade.add(ns + "/" + name)
                    && client.persistentVolumeClaims()
                                    .inNamespace(ns)
                                    .withName(name)
                                    .get()
                            == null) {
                client.resource(new PersistentVolumeClaimBuilder()
                                .withNewMetadata()
                                .withName(name)
                                .withNamespace(ns)
                                .withLabels(template.getMetadata().getLabels())
                                .endMetadata()
                                .withSpec(template.getSpec())
                                .withNewStatus()
                                .withPhase("Bound")
                                .withCapacity(template.getSpec().getResources().getRequests())
                                .endStatus()
                                .build())
                        .create();
            }
        }
        String revision = revision(sts);
        kubelet(sts);
        int ready = podsBecomeReady.get() && notReadyContainers.isEmpty() ? 1 : 0;
        var status = sts.getStatus();
        if (status != null
                && Objects.equals(status.getUpdateRevision(), revision)
                && Objects.equals(status.getReadyReplicas(), ready)
                && Objects.equals(status.getCurrentRevision(), ready == 1 ? revision : status.getCurrentRevision())) {
            return;
        }
        StatefulSet copy = JSON.clone(sts);
        copy.setStatus(new StatefulSetStatusBuilder()
                .withReplicas(1)
                .withReadyReplicas(ready)
                .withObservedGeneration(sts.getMetadata().getGeneration())
                .withUpdateRevision(revision)
                .withCurrentRevision(ready == 1 ? revision : status == null ? null : status.getCurrentRevision())
                .build());
        try {
            client.resource(copy).updateStatus();
        } catch (KubernetesClientException e) {
            // a newer version is on its way; its event runs this again
        }
    }

    /** The kubelet's view of the StatefulSet's pod {@code <name>-0}: one status per container and native sidecar. */
    private void kubelet(StatefulSet sts) {
        String ns = sts.getMetadata().getNamespace();
        String name = sts.getMetadata().getName() + "-0";
        var template = sts.getSpec().getTemplate();
        Function<String, ContainerStatus> status = c -> new ContainerStatusBuilder()
                .withName(c)
                .withReady(podsBecomeReady.get() && !notReadyContainers.contains(c))
                .build();
        var podStatus = new PodStatusBuilder()
                .withContainerStatuses(template.getSpec().getContainers().stream()
                        .map(c -> status.apply(c.getName()))
                        .toList())
                .withInitContainerStatuses(template.getSpec().getInitContainers().stream()
                        .filter(c -> "Always".equals(c.getRestartPolicy()))
                        .map(c -> status.apply(c.getName()))
                        .toList())
                .build();
        var existing = client.pods().inNamespace(ns).withName(name).get();
        try {
            if (existing == null) {
                client.resource(new PodBuilder()
                                .withNewMetadata()
                                .withName(name)
                                .withNamespace(ns)
                                .withLabels(template.getMetadata().getLabels())
                                .endMetadata()
                                .withSpec(template.getSpec())
                                .withStatus(podStatus)
                                .build())
                        .create();
            } else if (!podStatus.equals(existing.getStatus())) {
                existing.setStatus(podStatus);
                client.resource(existing).updateStatus();
            }
        } catch (KubernetesClientException e) {
            // raced with another event for the same pod; that event brings the same state
        }
    }

    /** Re-runs the StatefulSet controller on every StatefulSet (after flipping {@link #podsBecomeReady}). */
    void resyncStatefulSets() {
        client.apps().statefulSets().inAnyNamespace().list().getItems().forEach(this::statefulSetController);
    }

    /** Garbage collection: deletes every object whose owners are all gone. */
    void collectGarbage() {
        Set<String> live = new HashSet<>();
        client.resources(Claw.class)
                .inAnyNamespace()
                .list()
                .getItems()
                .forEach(c -> live.add(c.getMetadata().getUid()));
        client.resources(ClawChannel.class)
                .inAnyNamespace()
                .list()
                .getItems()
                .forEach(c -> live.add(c.getMetadata().getUid()));
        List<List<? extends HasMetadata>> all = List.of(
                client.apps().statefulSets().inAnyNamespace().list().getItems(),
                client.services().inAnyNamespace().list().getItems(),
                client.configMaps().inAnyNamespace().list().getItems(),
                client.secrets().inAnyNamespace().list().getItems(),
                client.serviceAccounts().inAnyNamespace().list().getItems(),
                client.network().v1().networkPolicies().inAnyNamespace().list().getItems(),
                client.network().v1().ingresses().inAnyNamespace().list().getItems(),
                client.policy()
                        .v1()
                        .podDisruptionBudget()
                        .inAnyNamespace()
                        .list()
                        .getItems(),
                client.persistentVolumeClaims().inAnyNamespace().list().getItems());
        for (List<? extends HasMetadata> items : all) {
            for (HasMetadata o : items) {
                var owners = o.getMetadata().getOwnerReferences();
                if (owners != null && !owners.isEmpty() && owners.stream().noneMatch(r -> live.contains(r.getUid()))) {
                    client.resource(o).delete();
                }
            }
        }
    }

    @Override
    public void close() {
        informer.close();
    }
}
