package io.k8s4claw.operator.reconcile;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.informers.cache.BasicItemStore;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * An informer cache that keeps only what the operator reads of each object, so its heap grows by kilobytes, not
 * tens of kilobytes, per Claw (measured in OperatorConvergenceBenchmark's heap histogram):
 *
 * <ul>
 *   <li>every kind: no {@code metadata.managedFields} — on a real apiserver the largest part of each cached child
 *       (a field-by-field ownership tree per manager, held as nested maps). An update sent from a cached object
 *       without them leaves the server's managed fields as they are (an omitted managedFields is "unchanged");
 *   <li>Pods and StatefulSets' pod templates: of each container and init container only the name, image and restart
 *       policy, and no volumes. What reads them: readiness per container and the running image (auto-update's health,
 *       the forced rollback), the pod's security context (the archive Job runs as the pod did). A changed template
 *       is found by its applied-hash annotation, never by comparing the cached template, and an update replaces the
 *       whole template with the desired one.
 *   <li>with {@link #keeping}: only what a controller reads of each object (e.g. a Claw's metadata and
 *       {@code spec.channels} for the ClawChannel controller), so four controllers watching Claws hold one of them
 *       whole.
 * </ul>
 */
public final class SlimStore<R extends HasMetadata> extends BasicItemStore<R> {
    private final UnaryOperator<R> keep;

    SlimStore() {
        this(UnaryOperator.identity());
    }

    private SlimStore(UnaryOperator<R> keep) {
        super(Cache::metaNamespaceKeyFunc);
        this.keep = keep;
    }

    /** A cache holding of each object, once its managed fields are dropped, what {@code keep} makes of it. */
    public static <R extends HasMetadata> SlimStore<R> keeping(UnaryOperator<R> keep) {
        return new SlimStore<>(keep);
    }

    @Override
    public R put(String key, R object) {
        if (object.getMetadata() != null) {
            object.getMetadata().setManagedFields(null);
        }
        object = keep.apply(object);
        switch (object) {
            case Pod pod -> slim(pod.getSpec());
            case StatefulSet sts
            when sts.getSpec() != null && sts.getSpec().getTemplate() != null ->
                slim(sts.getSpec().getTemplate().getSpec());
            default -> {}
        }
        return super.put(key, object);
    }

    private static void slim(PodSpec spec) {
        if (spec == null) {
            return;
        }
        spec.setVolumes(null);
        spec.setContainers(nameAndImage(spec.getContainers()));
        spec.setInitContainers(nameAndImage(spec.getInitContainers()));
    }

    private static List<Container> nameAndImage(List<Container> containers) {
        if (containers == null) {
            return List.of();
        }
        return containers.stream()
                .map(c -> {
                    Container slim = new Container();
                    slim.setName(c.getName());
                    slim.setImage(c.getImage());
                    slim.setRestartPolicy(c.getRestartPolicy());
                    return slim;
                })
                .toList();
    }
}
