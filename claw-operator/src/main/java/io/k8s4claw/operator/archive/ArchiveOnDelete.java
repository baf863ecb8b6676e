package io.k8s4claw.operator.archive;

import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.k8s4claw.api.runtime.RenderNames;
import io.k8s4claw.api.runtime.VolumeRole;
import io.k8s4claw.api.v1alpha1.ArchiveDestination;
import io.k8s4claw.api.v1alpha1.Claw;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code reclaimPolicy: Archive} on delete, one step per call (the deletion is re-run until it says {@link Done}):
 * stop the runtime (StatefulSet to 0, so the volumes are consistent and free to mount), wait for its pod to go,
 * start one archive Job per claim ({@link ArchiveJobs}), wait for them. Whatever the Jobs' outcome the claims are
 * then released as under Retain: a failed archive loses nothing, and the reason is reported.
 */
public final class ArchiveOnDelete {

    /** Where the deletion stands. */
    public sealed interface Step {}

    /** Not finished: {@code progress} says what it waits for. */
    public record Waiting(String progress) implements Step {}

    /** Every Job ended; {@code failures} empty when every volume was archived. */
    public record Done(List<String> archived, List<String> failures) implements Step {}

    private final String image;

    public ArchiveOnDelete(String image) {
        this.image = image;
    }

    public Step step(KubernetesClient client, Claw claw, List<PersistentVolumeClaim> claims, StatefulSet sts) {
        String ns = claw.getMetadata().getNamespace();
        String name = claw.getMetadata().getName();
        ArchiveDestination dest =
                claw.getSpec().getPersistence().getOutput().getArchive().getDestination();
        if (sts != null && (sts.getSpec().getReplicas() == null || sts.getSpec().getReplicas() > 0)) {
            client.apps()
                    .statefulSets()
                    .inNamespace(ns)
                    .withName(name)
                    .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"replicas\":0}}");
            return new Waiting("stopping the runtime (StatefulSet " + name
                    + " to 0 replicas) so its volumes are archived at rest");
        }
        if (client.pods().inNamespace(ns).withName(name + "-0").get() != null) {
            return new Waiting("waiting for pod " + name + "-0 to stop before archiving its volumes");
        }
        PodSecurityContext podSecurity =
                sts == null ? null : sts.getSpec().getTemplate().getSpec().getSecurityContext();
        RenderNames names = RenderNames.defaults(name);
        List<String> running = new ArrayList<>();
        List<String> archived = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        for (PersistentVolumeClaim claim : claims) {
            VolumeRole role = roleOf(names, name, claim.getMetadata().getName());
            if (role == null) {
                continue;
            }
            String jobName = ArchiveJobs.jobName(claw, role);
            Job job =
                    client.batch().v1().jobs().inNamespace(ns).withName(jobName).get();
            if (job == null) {
                client.resource(ArchiveJobs.job(claw, role, claim.getMetadata().getName(), dest, image, podSecurity))
                        .create();
                running.add(role.specName() + " (Job " + jobName + " started)");
                continue;
            }
            var pods = client.pods()
                    .inNamespace(ns)
                    .withLabel("job-name", jobName)
                    .list()
                    .getItems();
            switch (ArchiveJobs.state(job, pods)) {
                case ArchiveJobs.State.Running r -> running.add(role.specName() + " (Job " + jobName + " running)");
                case ArchiveJobs.State.Succeeded s -> archived.add(role.specName() + ": " + s.result());
                case ArchiveJobs.State.Failed f -> failures.add(role.specName() + " (Job " + jobName + "): " + f.why());
            }
        }
        if (!running.isEmpty()) {
            return new Waiting("archiving to s3://" + dest.getBucket() + ": " + String.join(", ", running)
                    + (archived.isEmpty() ? "" : "; done: " + archived.size())
                    + (failures.isEmpty() ? "" : "; failed: " + failures.size()));
        }
        return new Done(archived, failures);
    }

    private static VolumeRole roleOf(RenderNames names, String claw, String claimName) {
        for (VolumeRole role : VolumeRole.values()) {
            if (claimName.equals(names.volumeName(role) + "-" + claw + "-0")) {
                return role;
            }
        }
        return null;
    }
}
