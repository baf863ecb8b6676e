package io.k8s4claw.operator.reconcile;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.k8s4claw.operator.app.OperatorMetrics;
import io.k8s4claw.operator.desired.Hashes;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The content hash of each user Secret a Claw references (the pod template carries it, so a rotation rolls the pod),
 * read from the apiserver when the Secret's resourceVersion (from {@link SecretMetadata}'s cache) is one not hashed
 * yet, and otherwise answered from memory. Only the hash is kept; the Secret's data is dropped after hashing. A no-op
 * resync therefore reads nothing, and a rotation costs one GET per referenced Secret.
 */
final class SecretHashes {

    private record Hashed(String resourceVersion, String hash) {}

    private final ConcurrentMap<String, Hashed> byKey = new ConcurrentHashMap<>();
    private final OperatorMetrics metrics;

    SecretHashes(OperatorMetrics metrics) {
        this.metrics = metrics;
    }

    /**
     * The hash of Secret {@code namespace/name}, or empty when it does not exist. {@code cached} is its metadata as the
     * informer has it (empty: the informer has not seen it, so it is missing).
     */
    Optional<String> hash(
            KubernetesClient client, String namespace, String name, Optional<? extends HasMetadata> cached) {
        String key = namespace + "/" + name;
        if (cached.isEmpty()) {
            byKey.remove(key);
            return Optional.empty();
        }
        Hashed known = byKey.get(key);
        if (known != null
                && Objects.equals(
                        known.resourceVersion(), cached.get().getMetadata().getResourceVersion())) {
            return Optional.of(known.hash());
        }
        Secret secret = client.secrets().inNamespace(namespace).withName(name).get();
        metrics.secretRead();
        if (secret == null) {
            byKey.remove(key);
            return Optional.empty();
        }
        String hash = Hashes.ofData(SecretData.bytes(secret));
        byKey.put(key, new Hashed(secret.getMetadata().getResourceVersion(), hash));
        return Optional.of(hash);
    }

    /** Forgets a Secret that left the cache (deleted, or out of the watched namespaces). */
    void forget(String key) {
        byKey.remove(key);
    }

    int size() {
        return byKey.size();
    }
}
