package io.k8s4claw.adapters.nanoclaw;

import io.k8s4claw.api.runtime.ConfigFormat;
import io.k8s4claw.api.runtime.ImagePolicy;
import io.k8s4claw.api.runtime.MergeMode;
import io.k8s4claw.api.runtime.PodContribution;
import io.k8s4claw.api.runtime.RenderContext;
import io.k8s4claw.api.runtime.RuntimeAdapter;
import io.k8s4claw.api.runtime.RuntimeDescriptor;
import io.k8s4claw.api.runtime.ShutdownPolicy;
import io.k8s4claw.api.v1alpha1.Claw;
import io.k8s4claw.api.validation.FieldError;
import java.util.List;

/**
 * NanoClaw ({@code runtime: nanoclaw}, qwibitai): a Node host that runs every agent in its own Docker container.
 * A pod has no container engine, and giving it one (a privileged Docker-in-Docker sidecar or the node's socket)
 * would hand the agent the node. So the adapter rejects it with that explanation instead of rendering a pod that
 * cannot work.
 */
public final class NanoClawAdapter implements RuntimeAdapter {

    public static final String RUNTIME_ID = "nanoclaw";
    static final String WHY =
            "nanoclaw starts each agent in its own Docker container, so it needs a container engine inside"
                    + " the pod; Kubernetes pods have none, and adding one (privileged Docker-in-Docker or the "
                    + "node's container socket)"
                    + " would give the agent control of the node. Run NanoClaw on a VM, or pick a runtime that runs "
                    + "in a pod"
                    + " (hermesclaw, openclaw, zeroclaw, picoclaw, nanobot, or custom)";

    private static final RuntimeDescriptor DESCRIPTOR = new RuntimeDescriptor(
            RUNTIME_ID,
            "NanoClaw",
            ImagePolicy.none(),
            List.of(),
            List.of(),
            ConfigFormat.NONE,
            MergeMode.DEEP_MERGE,
            new ShutdownPolicy(30, 0, "not rendered"),
            "not supported in a pod: " + WHY);

    @Override
    public RuntimeDescriptor descriptor() {
        return DESCRIPTOR;
    }

    @Override
    public List<FieldError> validateCreate(Claw claw) {
        return List.of(new FieldError("spec.runtime", WHY));
    }

    @Override
    public List<FieldError> validateUpdate(Claw previous, Claw updated) {
        return validateCreate(updated);
    }

    @Override
    public PodContribution render(RenderContext context) {
        throw new IllegalArgumentException("Claw " + context.clawName() + " cannot be rendered: " + WHY);
    }
}
