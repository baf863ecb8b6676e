package io.k8s4claw.operator.sandbox;

import io.fabric8.kubernetes.api.model.node.v1.RuntimeClass;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.k8s4claw.api.v1alpha1.Claw;

/**
 * {@code spec.security.runtimeClassName} (gVisor, Kata, ...): the RuntimeClass must exist before the pod is made.
 * A pod naming a missing RuntimeClass is refused by the apiserver's RuntimeClass admission, so the StatefulSet
 * controller only records FailedCreate events and the Claw would sit without a pod and without a word; the
 * operator checks first and says so in a condition instead.
 *
 * <p>RuntimeClasses are cluster-scoped and rarely change, so they are not watched: a Claw waiting for one is
 * looked at again on a timer.
 */
public final class RuntimeClassCheck {

    /** What the check found. */
    public sealed interface Result {
        /** The Claw names no RuntimeClass: nothing to report. */
        record NotRequested() implements Result {}

        /** The RuntimeClass exists (its handler is what the nodes run). */
        record Found(String name, String handler) implements Result {}

        /** The RuntimeClass does not exist: the pod must not be made. */
        record Missing(String name) implements Result {}

        /**
         * The operator may not read RuntimeClasses (single-namespace RBAC grants nothing cluster-scoped): the pod is
         * made and the apiserver judges; the condition says it could not be checked.
         */
        record Unchecked(String name, String why) implements Result {}
    }

    private RuntimeClassCheck() {}

    public static Result check(KubernetesClient client, Claw claw) {
        var security = claw.getSpec().getSecurity();
        String name = security == null ? null : security.getRuntimeClassName();
        if (name == null || name.isBlank()) {
            return new Result.NotRequested();
        }
        try {
            var runtimeClass =
                    client.resources(RuntimeClass.class).withName(name).get();
            return runtimeClass == null ? new Result.Missing(name) : new Result.Found(name, runtimeClass.getHandler());
        } catch (KubernetesClientException e) {
            if (e.getCode() == 403) {
                return new Result.Unchecked(
                        name,
                        "the operator may not read RuntimeClasses (grant get on"
                                + " runtimeclasses.node.k8s.io to check them; deploy/rbac/cluster-wide.yaml does)");
            }
            throw e;
        }
    }
}
