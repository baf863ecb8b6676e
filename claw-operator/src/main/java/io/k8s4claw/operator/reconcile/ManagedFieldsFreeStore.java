package io.k8s4claw.operator.reconcile;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.informers.cache.BasicItemStore;
import io.fabric8.kubernetes.client.informers.cache.Cache;

/**
 * An informer cache that keeps objects without {@code metadata.managedFields}. The operator never reads them, and on a
 * real apiserver they are the largest part of every cached child (a field-by-field ownership tree per manager, held
 * as nested maps): measured in OperatorConvergenceBenchmark's heap histogram. An update sent from a cached object
 * without them leaves the server's managed fields as they are (an omitted managedFields is "unchanged").
 */
final class ManagedFieldsFreeStore<R extends HasMetadata> extends BasicItemStore<R> {

    ManagedFieldsFreeStore() {
        super(Cache::metaNamespaceKeyFunc);
    }

    @Override
    public R put(String key, R object) {
        if (object.getMetadata() != null) {
            object.getMetadata().setManagedFields(null);
        }
        return super.put(key, object);
    }
}
