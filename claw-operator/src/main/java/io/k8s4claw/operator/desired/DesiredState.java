package io.k8s4claw.operator.desired;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.k8s4claw.api.v1alpha1.Claw;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Everything the operator keeps in the cluster for one Claw, computed purely from the Claw, its ClawChannels,
 * the runtime adapter and the hashes of the Secrets it references. {@code claw render} prints exactly this;
 * the reconciler applies exactly this (plus owner references, which need the live object's uid).
 *
 * @param claw              the Claw it was computed from
 * @param serviceAccount    the pod's ServiceAccount
 * @param configMap         non-secret rendered configuration files
 * @param renderedSecret    secret rendered configuration files, when the adapter produced any
 * @param generatedSecrets  Secrets created once with random values (never in manifests; listed by name)
 * @param service           headless Service of the StatefulSet
 * @param statefulSet       the pod
 * @param networkPolicy     present unless the Claw switched it off
 * @param ingress           present when the Claw asks for one
 * @param podDisruptionBudget present when asked, in a form that cannot block node drains
 * @param referencedSecrets names of user Secrets the pod reads (hashed into the pod template)
 * @param warnings          things the user asked for that were adjusted, with the field path
 */
public record DesiredState(
        Claw claw,
        ServiceAccount serviceAccount,
        ConfigMap configMap,
        Optional<Secret> renderedSecret,
        List<GeneratedSecretPlan> generatedSecrets,
        Service service,
        StatefulSet statefulSet,
        Optional<NetworkPolicy> networkPolicy,
        Optional<Ingress> ingress,
        Optional<PodDisruptionBudget> podDisruptionBudget,
        List<String> referencedSecrets,
        List<String> warnings) {

    public DesiredState {
        generatedSecrets = List.copyOf(generatedSecrets);
        referencedSecrets = List.copyOf(referencedSecrets);
        warnings = List.copyOf(warnings);
    }

    /** A Secret the operator creates once per Claw and never overwrites. */
    public record GeneratedSecretPlan(String name, List<Key> keys, String purpose, Map<String, String> labels) {
        public GeneratedSecretPlan {
            keys = List.copyOf(keys);
            labels = Map.copyOf(labels);
        }

        /** @param randomBytes bytes drawn from {@link java.security.SecureRandom} (≥ 32) */
        public record Key(String key, int randomBytes) {}
    }

    /**
     * The objects the operator writes every reconcile (generated Secrets excluded: those are created once), in
     * the order they are applied and printed: what the pod refers to first, the pod, then what refers to the pod.
     */
    public List<HasMetadata> manifests() {
        List<HasMetadata> out = new ArrayList<>();
        out.add(serviceAccount);
        out.add(configMap);
        renderedSecret.ifPresent(out::add);
        out.add(service);
        out.add(statefulSet);
        networkPolicy.ifPresent(out::add);
        ingress.ifPresent(out::add);
        podDisruptionBudget.ifPresent(out::add);
        return out;
    }
}
