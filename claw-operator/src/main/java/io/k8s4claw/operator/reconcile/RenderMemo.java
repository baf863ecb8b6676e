package io.k8s4claw.operator.reconcile;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.k8s4claw.api.runtime.VolumeRole;
import io.k8s4claw.api.v1alpha1.Claw;
import io.k8s4claw.api.v1alpha1.ClawChannel;
import io.k8s4claw.operator.desired.Hashes;
import java.util.List;
import java.util.Map;

/**
 * What the last render of a Claw produced, without the objects: the fingerprint of its inputs, what each child it
 * wrote must still show ({@link ChildApplier.Expected}), the children it wants absent, and the few facts the status
 * is computed from ({@link RenderSummary}). A Claw is reconciled about five times while it starts (its pod, claims
 * and StatefulSet each change) and again on every resync; when the inputs are the same and the cluster still holds
 * what was written, the reconcile skips rendering and hashing every child — most of the operator's CPU at a thousand
 * Claws. Any difference (a changed input, a child edited, deleted or missing from the cache) takes the full path,
 * which renders, writes what differs and records a new memo. Kept in memory only: a restarted operator renders
 * each Claw once again.
 */
record RenderMemo(
        String inputs,
        List<ChildApplier.Expected> written,
        List<Absent> absent,
        List<String> generatedSecrets,
        RenderSummary summary) {

    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

    /** A child the Claw does not ask for (an Ingress switched off): it must not exist as ours. */
    record Absent(String kind, String name) {}

    RenderMemo {
        written = List.copyOf(written);
        absent = List.copyOf(absent);
        generatedSecrets = List.copyOf(generatedSecrets);
    }

    /**
     * Everything a render reads: the Claw's spec (auto-update's tag included), name, namespace and uid, each channel's
     * name and spec, and the hashes of the Secrets the pod reads. The adapters and sidecar images are fixed for the
     * operator's lifetime, and so is the memo.
     */
    static String fingerprint(Claw claw, List<ClawChannel> channels, Map<String, String> secretHashes) {
        StringBuilder in = new StringBuilder()
                .append(claw.getMetadata().getNamespace())
                .append('/')
                .append(claw.getMetadata().getName())
                .append('/')
                .append(claw.getMetadata().getUid())
                .append('\n')
                .append(SERIALIZATION.asJson(claw.getSpec()))
                .append('\n');
        for (ClawChannel channel : channels) {
            in.append(channel.getMetadata().getName())
                    .append('=')
                    .append(SERIALIZATION.asJson(channel.getSpec()))
                    .append('\n');
        }
        in.append(secretHashes);
        return Hashes.ofString(in.toString());
    }

    /** Whether the cluster, as the caches show it, still holds what this memo's render wrote. */
    boolean heldBy(ClawEventSources sources, String namespace) {
        for (ChildApplier.Expected child : written) {
            HasMetadata actual = sources.ofKind(child.kind())
                    .get(new ResourceID(child.name(), namespace))
                    .orElse(null);
            if (actual == null || !child.heldBy(actual)) {
                return false;
            }
        }
        for (Absent a : absent) {
            if (sources.ofKind(a.kind())
                    .get(new ResourceID(a.name(), namespace))
                    .isPresent()) {
                return false;
            }
        }
        for (String name : generatedSecrets) {
            if (sources.secrets.get(new ResourceID(name, namespace)).isEmpty()) {
                return false;
            }
        }
        return true;
    }

    /** The facts of a render that the status and the claims' handling read. */
    record RenderSummary(
            String runtimeContainer,
            String runtimeImage,
            Map<String, String> channelContainers,
            List<String> warnings,
            Map<VolumeRole, String> claimNames,
            Map<VolumeRole, Quantity> claimSizes) {

        RenderSummary {
            channelContainers = Map.copyOf(channelContainers);
            warnings = List.copyOf(warnings);
            claimNames = Map.copyOf(claimNames);
            claimSizes = Map.copyOf(claimSizes);
        }
    }
}
