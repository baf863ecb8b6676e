package io.k8s4claw.operator.reconcile;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.k8s4claw.api.v1alpha1.Claw;
import io.k8s4claw.operator.app.OperatorMetrics;
import io.k8s4claw.operator.desired.Hashes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The one place that compares desired children with the cluster and writes the difference.
 *
 * <p>What "differs" means: each object the operator writes carries {@value #APPLIED_HASH}, a hash of the desired
 * object it was written from. An object is left alone when that hash matches the new desired object, our
 * labels and owner reference are on it, and the fields nothing else writes still hold what we wrote (ConfigMap
 * and Secret data, StatefulSet replicas). Comparing our own desired objects, never the API server's
 * defaulted copy, is what makes a no-op resync write nothing on a real cluster as well as on the mock.
 *
 * <p>Writes are, by default ({@link WritePath#UPDATE}), plain create and update (PUT with the cached resourceVersion: a
 * stale cache gets a 409 and a retry); {@link WritePath#SERVER_SIDE_APPLY} sends the same desired object as a
 * server-side apply instead (the fabric8 mock does not speak it; the real apiserver does).
 */
public final class ChildApplier {

    public static final String APPLIED_HASH = "claw.prismer.ai/applied-hash";
    public static final String FIELD_MANAGER = "claw-operator";

    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

    private final KubernetesClient client;
    private final OperatorMetrics metrics;
    private final WritePath writePath;

    public ChildApplier(KubernetesClient client, OperatorMetrics metrics) {
        this(client, metrics, WritePath.UPDATE);
    }

    public ChildApplier(KubernetesClient client, OperatorMetrics metrics, WritePath writePath) {
        this.client = client;
        this.metrics = metrics;
        this.writePath = writePath;
    }

    /** What an apply did. */
    public enum Outcome {
        UNCHANGED,
        CREATED,
        UPDATED,
        DELETED
    }

    /** Creates or updates {@code desired} so the cluster matches it; returns what it did. */
    public <T extends HasMetadata> Outcome apply(Claw owner, T desired, InformerEventSource<T, Claw> cache) {
        ResourceID primary = ResourceID.fromResource(owner);
        T wanted = stamped(owner, desired);
        Optional<T> actual = cache.get(new ResourceID(
                desired.getMetadata().getName(), desired.getMetadata().getNamespace()));
        if (actual.isEmpty()) {
            T created = writePath == WritePath.SERVER_SIDE_APPLY
                    ? serverSideApply(wanted)
                    : client.resource(wanted).create();
            metrics.childWrite(desired.getKind(), "create");
            cache.handleRecentResourceCreate(primary, created);
            return Outcome.CREATED;
        }
        T current = actual.get();
        if (matches(wanted, current)) {
            return Outcome.UNCHANGED;
        }
        if (wanted instanceof StatefulSet w
                && current instanceof StatefulSet c
                && !claimTemplateNames(w).equals(claimTemplateNames(c))) {
            // volumeClaimTemplates are immutable: replace the StatefulSet, orphaning its pod and claims, which the
            // new one adopts (same selector, same claim names). Existing claims keep their data.
            client.resource(current)
                    .withPropagationPolicy(DeletionPropagation.ORPHAN)
                    .delete();
            metrics.childWrite(desired.getKind(), "delete");
            T created = writePath == WritePath.SERVER_SIDE_APPLY
                    ? serverSideApply(wanted)
                    : client.resource(wanted).create();
            metrics.childWrite(desired.getKind(), "create");
            cache.handleRecentResourceCreate(primary, created);
            return Outcome.UPDATED;
        }
        if (writePath == WritePath.SERVER_SIDE_APPLY) {
            // Claim templates are immutable (a grown size goes to the claims themselves): apply the live ones.
            if (wanted instanceof StatefulSet w && current instanceof StatefulSet c) {
                w.getSpec().setVolumeClaimTemplates(c.getSpec().getVolumeClaimTemplates());
            }
            T applied = serverSideApply(wanted);
            metrics.childWrite(desired.getKind(), "update");
            cache.handleRecentResourceUpdate(primary, applied, current);
            return Outcome.UPDATED;
        }
        T merged = merge(wanted, current);
        T updated = client.resource(merged).update();
        metrics.childWrite(desired.getKind(), "update");
        cache.handleRecentResourceUpdate(primary, updated, current);
        return Outcome.UPDATED;
    }

    /**
     * The desired object applied as the operator's field manager; conflicts forced (these fields are the operator's).
     */
    private <T extends HasMetadata> T serverSideApply(T wanted) {
        return client.resource(wanted)
                .fieldManager(FIELD_MANAGER)
                .forceConflicts()
                .serverSideApply();
    }

    /** Creates a generated Secret when it does not exist; never touches an existing one. */
    public Outcome createOnce(Claw owner, Secret generated, InformerEventSource<Secret, Claw> cache) {
        ResourceID id = new ResourceID(
                generated.getMetadata().getName(), generated.getMetadata().getNamespace());
        if (cache.get(id).isPresent()) {
            return Outcome.UNCHANGED;
        }
        Secret withOwner = copy(generated);
        withOwner.getMetadata().setOwnerReferences(List.of(ownerReference(owner)));
        Secret created;
        try {
            created = client.resource(withOwner).create();
        } catch (KubernetesClientException e) {
            if (e.getCode() == 409) {
                return Outcome.UNCHANGED; // created meanwhile (cache lag): keep what is there, never overwrite
            }
            throw e;
        }
        metrics.childWrite("Secret", "create");
        cache.handleRecentResourceCreate(ResourceID.fromResource(owner), created);
        return Outcome.CREATED;
    }

    /** Deletes a child the Claw no longer asks for (e.g. an Ingress switched off), if it is ours. */
    public <T extends HasMetadata> Outcome deleteIfOwned(Claw owner, String name, InformerEventSource<T, Claw> cache) {
        Optional<T> actual = cache.get(new ResourceID(name, owner.getMetadata().getNamespace()));
        if (actual.isEmpty() || !ownedBy(actual.get(), owner)) {
            return Outcome.UNCHANGED;
        }
        client.resource(actual.get()).delete();
        metrics.childWrite(actual.get().getKind(), "delete");
        return Outcome.DELETED;
    }

    public static OwnerReference ownerReference(Claw owner) {
        return new OwnerReferenceBuilder()
                .withApiVersion(owner.getApiVersion())
                .withKind(owner.getKind())
                .withName(owner.getMetadata().getName())
                .withUid(owner.getMetadata().getUid())
                .withController(true)
                .withBlockOwnerDeletion(true)
                .build();
    }

    public static boolean ownedBy(HasMetadata object, Claw owner) {
        return object.getMetadata().getOwnerReferences() != null
                && object.getMetadata().getOwnerReferences().stream()
                        .anyMatch(r ->
                                Objects.equals(r.getUid(), owner.getMetadata().getUid()));
    }

    /**
     * The desired object with our owner reference and the hash of what we want, stamped in place: desired objects are
     * built for one reconcile and belong to it, and copying each one (a JSON round trip) was the largest single share
     * of the operator's CPU at a thousand Claws. Stamping twice keeps the first hash (taken before the stamp).
     */
    private static <T extends HasMetadata> T stamped(Claw owner, T desired) {
        Map<String, String> annotations = new LinkedHashMap<>(
                desired.getMetadata().getAnnotations() == null
                        ? Map.of()
                        : desired.getMetadata().getAnnotations());
        if (!annotations.containsKey(APPLIED_HASH)) {
            annotations.put(APPLIED_HASH, appliedHash(desired));
        }
        desired.getMetadata().setOwnerReferences(List.of(ownerReference(owner)));
        desired.getMetadata().setAnnotations(annotations);
        return desired;
    }

    /** Hash of the desired object as rendered (before owner references and the hash itself are added). */
    public static String appliedHash(HasMetadata desired) {
        return Hashes.ofString(SERIALIZATION.asJson(desired));
    }

    private static <T extends HasMetadata> boolean matches(T wanted, T actual) {
        return Expected.of(wanted).heldBy(actual);
    }

    /**
     * What a child written from a stamped desired object must still show for the operator to leave it alone: the
     * applied hash and our labels and annotations, our owner reference, and the fields only we write (ConfigMap and
     * Secret data, as a hash; StatefulSet replicas). Kept by {@link RenderMemo} in place of the object, so a reconcile
     * whose inputs did not change can check the cluster without rendering again.
     */
    record Expected(
            String kind,
            String name,
            Map<String, String> labels,
            Map<String, String> annotations,
            String ownerUid,
            String dataHash,
            Integer replicas) {

        static Expected of(HasMetadata stamped) {
            Map<String, String> labels = stamped.getMetadata().getLabels();
            return new Expected(
                    stamped.getKind(),
                    stamped.getMetadata().getName(),
                    labels == null ? Map.of() : new LinkedHashMap<>(labels),
                    new LinkedHashMap<>(stamped.getMetadata().getAnnotations()),
                    stamped.getMetadata().getOwnerReferences().get(0).getUid(),
                    dataHash(stamped),
                    stamped instanceof StatefulSet sts ? sts.getSpec().getReplicas() : null);
        }

        boolean heldBy(HasMetadata actual) {
            Map<String, String> actualAnnotations = actual.getMetadata().getAnnotations() == null
                    ? Map.of()
                    : actual.getMetadata().getAnnotations();
            if (!Objects.equals(annotations.get(APPLIED_HASH), actualAnnotations.get(APPLIED_HASH))) {
                return false;
            }
            if (!contains(actual.getMetadata().getLabels(), labels) || !contains(actualAnnotations, annotations)) {
                return false;
            }
            if (actual.getMetadata().getOwnerReferences() == null
                    || actual.getMetadata().getOwnerReferences().stream()
                            .noneMatch(r -> Objects.equals(r.getUid(), ownerUid))) {
                return false;
            }
            // Drift in fields only we write (someone edited them by hand): put ours back.
            if (dataHash != null && !dataHash.equals(dataHash(actual))) {
                return false;
            }
            return replicas == null
                    || (actual instanceof StatefulSet sts
                            && Objects.equals(replicas, sts.getSpec().getReplicas()));
        }

        private static String dataHash(HasMetadata object) {
            return switch (object) {
                case ConfigMap m -> Hashes.ofString(new TreeMap<>(nullToEmpty(m.getData())).toString());
                case Secret s -> Hashes.ofString(new TreeMap<>(nullToEmpty(s.getData())).toString());
                default -> null;
            };
        }
    }

    private static List<String> claimTemplateNames(StatefulSet sts) {
        return sts.getSpec().getVolumeClaimTemplates() == null
                ? List.of()
                : sts.getSpec().getVolumeClaimTemplates().stream()
                        .map(p -> p.getMetadata().getName())
                        .sorted()
                        .toList();
    }

    private static Map<String, String> nullToEmpty(Map<String, String> m) {
        return m == null ? Map.of() : m;
    }

    private static boolean contains(Map<String, String> actual, Map<String, String> wanted) {
        if (wanted == null || wanted.isEmpty()) {
            return true;
        }
        if (actual == null) {
            return false;
        }
        return wanted.entrySet().stream().allMatch(e -> Objects.equals(actual.get(e.getKey()), e.getValue()));
    }

    /**
     * The update to send: the live object (resourceVersion, fields others own such as a Service's clusterIP,
     * foreign labels and annotations) with our labels, annotations, owner reference and body laid over it.
     */
    @SuppressWarnings("unchecked")
    private static <T extends HasMetadata> T merge(T wanted, T actual) {
        T merged = copy(actual);
        Map<String, String> labels = new LinkedHashMap<>(
                merged.getMetadata().getLabels() == null
                        ? Map.of()
                        : merged.getMetadata().getLabels());
        labels.putAll(
                wanted.getMetadata().getLabels() == null
                        ? Map.of()
                        : wanted.getMetadata().getLabels());
        merged.getMetadata().setLabels(labels);
        Map<String, String> annotations = new LinkedHashMap<>(
                merged.getMetadata().getAnnotations() == null
                        ? Map.of()
                        : merged.getMetadata().getAnnotations());
        annotations.putAll(wanted.getMetadata().getAnnotations());
        merged.getMetadata().setAnnotations(annotations);
        List<OwnerReference> owners = new ArrayList<>(
                merged.getMetadata().getOwnerReferences() == null
                        ? List.of()
                        : merged.getMetadata().getOwnerReferences());
        OwnerReference ours = wanted.getMetadata().getOwnerReferences().get(0);
        owners.removeIf(r -> Objects.equals(r.getUid(), ours.getUid()));
        if (owners.stream().noneMatch(r -> Boolean.TRUE.equals(r.getController()))) {
            owners.add(ours);
        }
        merged.getMetadata().setOwnerReferences(owners);
        switch (merged) {
            case ConfigMap m -> m.setData(((ConfigMap) wanted).getData());
            case Secret s -> {
                s.setData(((Secret) wanted).getData());
                s.setType(((Secret) wanted).getType());
            }
            case ServiceAccount sa ->
                sa.setAutomountServiceAccountToken(((ServiceAccount) wanted).getAutomountServiceAccountToken());
            case Service svc -> {
                var w = ((Service) wanted).getSpec();
                svc.getSpec().setSelector(w.getSelector());
                svc.getSpec().setPorts(w.getPorts());
                svc.getSpec().setPublishNotReadyAddresses(w.getPublishNotReadyAddresses());
            }
            case StatefulSet sts -> {
                // Only replicas, template and updateStrategy of a StatefulSet may change; claim templates are
                // immutable (grown sizes are applied to the claims themselves).
                var w = ((StatefulSet) wanted).getSpec();
                sts.getSpec().setReplicas(w.getReplicas());
                sts.getSpec().setTemplate(w.getTemplate());
                sts.getSpec().setUpdateStrategy(w.getUpdateStrategy());
            }
            case NetworkPolicy np -> np.setSpec(((NetworkPolicy) wanted).getSpec());
            case Ingress ing -> ing.setSpec(((Ingress) wanted).getSpec());
            case PodDisruptionBudget pdb -> pdb.setSpec(((PodDisruptionBudget) wanted).getSpec());
            default -> throw new IllegalArgumentException("claw-operator does not manage " + merged.getKind());
        }
        return (T) merged;
    }

    @SuppressWarnings("unchecked")
    static <T extends HasMetadata> T copy(T object) {
        return (T) SERIALIZATION.clone(object);
    }
}
