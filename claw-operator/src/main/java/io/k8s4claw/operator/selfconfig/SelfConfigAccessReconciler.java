package io.k8s4claw.operator.selfconfig;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.cache.ItemStore;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.k8s4claw.api.v1alpha1.Claw;
import io.k8s4claw.api.v1alpha1.ClawApi;
import io.k8s4claw.operator.desired.ClawLabels;
import io.k8s4claw.operator.reconcile.SlimStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps each Claw's {@link SelfConfigAccess} Role and RoleBinding in step with {@code spec.selfConfigure.enabled}: a
 * controller of its own on Claws, so the Claw reconciler's pod rendering does not change with it. Both objects carry
 * the Claw as owner, so deleting the Claw removes them. They are read from informers (the operator's own Roles and
 * RoleBindings, by label), so a resync costs no request and a deleted Role is made again at once.
 */
@ControllerConfiguration(name = SelfConfigAccessReconciler.NAME)
public final class SelfConfigAccessReconciler implements Reconciler<Claw> {

    public static final String NAME = "claw-self-config-access";
    private static final Logger LOG = LoggerFactory.getLogger(SelfConfigAccessReconciler.class);

    /**
     * The cache of Claws for this controller: what {@link #reconcile} reads (metadata and spec), without the status and
     * managed fields, which the Claw controller's own cache holds.
     */
    public static ItemStore<Claw> primaryStore() {
        return SlimStore.keeping(claw -> {
            Claw slim = new Claw();
            slim.setMetadata(claw.getMetadata());
            slim.setSpec(claw.getSpec());
            return slim;
        });
    }

    @Override
    public List<EventSource<?, Claw>> prepareEventSources(EventSourceContext<Claw> context) {
        String owned = ClawApi.LABEL_MANAGED_BY + "=" + ClawLabels.MANAGED_BY_VALUE;
        return List.of(
                new InformerEventSource<>(
                        InformerEventSourceConfiguration.from(Role.class, Claw.class)
                                .withName("self-config-roles")
                                .withLabelSelector(owned)
                                .withSecondaryToPrimaryMapper(SelfConfigAccessReconciler::claw)
                                .build(),
                        context),
                new InformerEventSource<>(
                        InformerEventSourceConfiguration.from(RoleBinding.class, Claw.class)
                                .withName("self-config-rolebindings")
                                .withLabelSelector(owned)
                                .withSecondaryToPrimaryMapper(SelfConfigAccessReconciler::claw)
                                .build(),
                        context));
    }

    private static Set<ResourceID> claw(HasMetadata object) {
        Map<String, String> labels = object.getMetadata().getLabels();
        String instance = labels == null ? null : labels.get(ClawApi.LABEL_CLAW_INSTANCE);
        return instance == null || !object.getMetadata().getName().equals(instance + SelfConfigAccess.SUFFIX)
                ? Set.of()
                : Set.of(new ResourceID(instance, object.getMetadata().getNamespace()));
    }

    @Override
    public UpdateControl<Claw> reconcile(Claw claw, Context<Claw> context) {
        sync(
                context.getClient(),
                claw,
                context.getSecondaryResource(Role.class).orElse(null),
                context.getSecondaryResource(RoleBinding.class).orElse(null));
        return UpdateControl.noUpdate();
    }

    /** {@link #sync(KubernetesClient, Claw, Role, RoleBinding)} with the live objects read from the apiserver. */
    public static List<String> sync(KubernetesClient client, Claw claw) {
        String namespace = claw.getMetadata().getNamespace();
        String name = SelfConfigAccess.name(claw);
        return sync(
                client,
                claw,
                client.rbac().roles().inNamespace(namespace).withName(name).get(),
                client.rbac()
                        .roleBindings()
                        .inNamespace(namespace)
                        .withName(name)
                        .get());
    }

    /**
     * Creates, updates or deletes the Role and RoleBinding of {@code claw} given what exists; returns what it wrote
     * ("create role x", ...).
     */
    static List<String> sync(KubernetesClient client, Claw claw, Role liveRole, RoleBinding liveBinding) {
        String name = SelfConfigAccess.name(claw);
        String namespace = claw.getMetadata().getNamespace();
        List<HasMetadata> desired = SelfConfigAccess.desired(claw);
        ArrayList<String> writes = new ArrayList<>();
        if (desired.isEmpty()) {
            if (liveBinding != null && ownedBy(liveBinding, claw)) {
                client.resource(liveBinding).delete();
                writes.add("delete rolebinding " + name);
            }
            if (liveRole != null && ownedBy(liveRole, claw)) {
                client.resource(liveRole).delete();
                writes.add("delete role " + name);
            }
        } else {
            Role role = owned((Role) desired.get(0), claw);
            RoleBinding binding = owned((RoleBinding) desired.get(1), claw);
            if (liveRole == null) {
                createUnlessThere(client, role);
                writes.add("create role " + name);
            } else if (!Objects.equals(liveRole.getRules(), role.getRules())) {
                liveRole.setRules(role.getRules());
                client.resource(liveRole).update();
                writes.add("update role " + name);
            }
            if (liveBinding == null) {
                createUnlessThere(client, binding);
                writes.add("create rolebinding " + name);
            } else if (!Objects.equals(liveBinding.getSubjects(), binding.getSubjects())) {
                // roleRef is immutable and always the same Role; only the subject (the ServiceAccount) can change
                liveBinding.setSubjects(binding.getSubjects());
                client.resource(liveBinding).update();
                writes.add("update rolebinding " + name);
            }
        }
        if (!writes.isEmpty()) {
            LOG.info(
                    "Claw {}/{}: self-config access {}",
                    namespace,
                    claw.getMetadata().getName(),
                    writes);
        }
        return writes;
    }

    /** A create the informer has not shown yet may already have happened: then the next event brings it. */
    private static void createUnlessThere(KubernetesClient client, HasMetadata object) {
        try {
            client.resource(object).create();
        } catch (KubernetesClientException e) {
            if (e.getCode() != 409) {
                throw e;
            }
        }
    }

    private static <T extends HasMetadata> T owned(T object, Claw claw) {
        object.getMetadata()
                .setOwnerReferences(List.of(new OwnerReferenceBuilder()
                        .withApiVersion(claw.getApiVersion())
                        .withKind(claw.getKind())
                        .withName(claw.getMetadata().getName())
                        .withUid(claw.getMetadata().getUid())
                        .withController(false)
                        .withBlockOwnerDeletion(false)
                        .build()));
        return object;
    }

    private static boolean ownedBy(HasMetadata object, Claw claw) {
        return object.getMetadata().getOwnerReferences() != null
                && object.getMetadata().getOwnerReferences().stream()
                        .anyMatch(o ->
                                Objects.equals(o.getUid(), claw.getMetadata().getUid()));
    }
}
