package io.k8s4claw.operator.selfconfig;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import io.k8s4claw.api.v1alpha1.Claw;
import io.k8s4claw.api.v1alpha1.ClawApi;
import io.k8s4claw.operator.desired.ClawLabels;
import io.k8s4claw.operator.desired.DesiredStateBuilder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What lets a Claw's pod ask for changes to itself: a Role {@code <claw>-self-config} allowing {@code create} (and
 * reading back the outcome: {@code get}, {@code list}, {@code watch}) of ClawSelfConfigs in the Claw's namespace, bound
 * to the Claw's ServiceAccount — only while {@code spec.selfConfigure.enabled} is true. RBAC cannot restrict which
 * Claw a request names; the ValidatingAdmissionPolicy in {@code deploy/admission/self-config-policy.yaml} does.
 */
public final class SelfConfigAccess {

    public static final String SUFFIX = "-self-config";

    private SelfConfigAccess() {}

    public static boolean enabled(Claw claw) {
        return claw.getSpec() != null
                && claw.getSpec().getSelfConfigure() != null
                && Boolean.TRUE.equals(claw.getSpec().getSelfConfigure().getEnabled());
    }

    public static String name(Claw claw) {
        return claw.getMetadata().getName() + SUFFIX;
    }

    /** The Role and RoleBinding, in that order (empty when self-configuration is off). */
    public static List<HasMetadata> desired(Claw claw) {
        if (!enabled(claw)) {
            return List.of();
        }
        String namespace = claw.getMetadata().getNamespace();
        Map<String, String> labels = new LinkedHashMap<>(ClawLabels.of(claw));
        Role role = new RoleBuilder()
                .withNewMetadata()
                .withName(name(claw))
                .withNamespace(namespace)
                .withLabels(labels)
                .endMetadata()
                .withRules(new PolicyRuleBuilder()
                        .withApiGroups(ClawApi.GROUP)
                        .withResources("clawselfconfigs")
                        .withVerbs("create", "get", "list", "watch")
                        .build())
                .build();
        RoleBinding binding = new RoleBindingBuilder()
                .withNewMetadata()
                .withName(name(claw))
                .withNamespace(namespace)
                .withLabels(new LinkedHashMap<>(labels))
                .endMetadata()
                .withNewRoleRef()
                .withApiGroup("rbac.authorization.k8s.io")
                .withKind("Role")
                .withName(name(claw))
                .endRoleRef()
                .addNewSubject()
                .withKind("ServiceAccount")
                .withName(DesiredStateBuilder.serviceAccountName(claw))
                .withNamespace(namespace)
                .endSubject()
                .build();
        return List.of(role, binding);
    }
}
