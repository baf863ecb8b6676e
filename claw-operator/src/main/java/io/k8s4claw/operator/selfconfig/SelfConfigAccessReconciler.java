package io.k8s4claw.operator.selfconfig;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.k8s4claw.api.v1alpha1.Claw;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps each Claw's {@link SelfConfigAccess} Role and RoleBinding in step with {@code spec.selfConfigure.enabled}: a
 * controller of its own on Claws, so the Claw reconciler's pod rendering does not change with it. Both objects carry
 * the Claw as owner, so deleting the Claw removes them.
 */
@ControllerConfiguration(name = SelfConfigAccessReconciler.NAME)
public final class SelfConfigAccessReconciler implements Reconciler<Claw> {

    public static final String NAME = "claw-self-config-access";
    private static final Logger LOG = LoggerFactory.getLogger(SelfConfigAccessReconciler.class);

    @Override
    public UpdateControl<Claw> reconcile(Claw claw, Context<Claw> context) {
        sync(context.getClient(), claw);
        return UpdateControl.noUpdate();
    }

    /** Creates, updates or deletes the Role and RoleBinding of {@code claw}; returns what it wrote ("create role x", ...). */
    public static List<String> sync(KubernetesClient client, Claw claw) {
        String namespace = claw.getMetadata().getNamespace();
        String name = SelfConfigAccess.name(claw);
        List<HasMetadata> desired = SelfConfigAccess.desired(claw);
        java.util.ArrayList<String> writes = new java.util.ArrayList<>();
        Role liveRole = client.rbac().roles().inNamespace(namespace).withName(name).get();
        RoleBinding liveBinding = client.rbac().roleBindings().inNamespace(namespace).withName(name).get();
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
                client.resource(role).create();
                writes.add("create role " + name);
            } else if (!Objects.equals(liveRole.getRules(), role.getRules())) {
                liveRole.setRules(role.getRules());
                client.resource(liveRole).update();
                writes.add("update role " + name);
            }
            if (liveBinding == null) {
                client.resource(binding).create();
                writes.add("create rolebinding " + name);
            } else if (!Objects.equals(liveBinding.getSubjects(), binding.getSubjects())) {
                // roleRef is immutable and always the same Role; only the subject (the ServiceAccount) can change
                liveBinding.setSubjects(binding.getSubjects());
                client.resource(liveBinding).update();
                writes.add("update rolebinding " + name);
            }
        }
        if (!writes.isEmpty()) {
            LOG.info("Claw {}/{}: self-config access {}", namespace, claw.getMetadata().getName(), writes);
        }
        return writes;
    }

    private static <T extends HasMetadata> T owned(T object, Claw claw) {
        object.getMetadata().setOwnerReferences(List.of(new OwnerReferenceBuilder().withApiVersion(claw.getApiVersion())
                .withKind(claw.getKind()).withName(claw.getMetadata().getName()).withUid(claw.getMetadata().getUid())
                .withController(false).withBlockOwnerDeletion(false).build()));
        return object;
    }

    private static boolean ownedBy(HasMetadata object, Claw claw) {
        return object.getMetadata().getOwnerReferences() != null && object.getMetadata().getOwnerReferences().stream()
                .anyMatch(o -> Objects.equals(o.getUid(), claw.getMetadata().getUid()));
    }
}
