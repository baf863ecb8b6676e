package io.k8s4claw.operator.archive;

import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.AffinityBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.k8s4claw.api.runtime.RenderNames;
import io.k8s4claw.api.runtime.VolumeRole;
import io.k8s4claw.api.v1alpha1.ArchiveDestination;
import io.k8s4claw.api.v1alpha1.Claw;
import io.k8s4claw.api.v1alpha1.ReclaimPolicy;
import io.k8s4claw.operator.update.PreUpdateHook;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Auto-update's pre-update step for {@code reclaimPolicy: Archive}: before the runtime is rolled to a new version,
 * every claim is archived by a Job ({@link ArchiveJobs}) to
 * {@code <prefix>/<ns>/<claw>/<volume>/before-<to>-<claw uid>.tar.gz}. The runtime keeps running meanwhile (the update
 * has not begun), so the Job's pod is placed on the node of the Claw's pod — a ReadWriteOnce claim can be mounted there
 * a second time — and the archive is of a live volume: crash-consistent at best, like a snapshot taken without
 * quiescing. The update waits for the Jobs and is refused (for this version, with the archiver's message) when one
 * fails.
 */
public final class ArchiveBeforeUpdate implements PreUpdateHook {

    static final Duration POLL = Duration.ofSeconds(5);

    private final Supplier<KubernetesClient> client;
    private final String image;

    public ArchiveBeforeUpdate(Supplier<KubernetesClient> client, String image) {
        this.client = client;
        this.image = image;
    }

    @Override
    public Decision beforeUpdate(Claw claw, String fromVersion, String toVersion) {
        var persistence = claw.getSpec().getPersistence();
        if (persistence == null
                || persistence.getReclaimPolicy() != ReclaimPolicy.ARCHIVE
                || persistence.getOutput() == null
                || persistence.getOutput().getArchive() == null) {
            return new Decision.Proceed();
        }
        KubernetesClient k = client.get();
        String ns = claw.getMetadata().getNamespace();
        String name = claw.getMetadata().getName();
        ArchiveDestination dest = persistence.getOutput().getArchive().getDestination();
        StatefulSet sts = k.apps().statefulSets().inNamespace(ns).withName(name).get();
        var podSecurity =
                sts == null ? null : sts.getSpec().getTemplate().getSpec().getSecurityContext();
        RenderNames names = RenderNames.defaults(name);
        String version = toVersion.replaceAll("[^A-Za-z0-9.-]", "-");
        List<String> running = new ArrayList<>();
        List<String> failed = new ArrayList<>();
        for (VolumeRole role : VolumeRole.values()) {
            String claimName = names.volumeName(role) + "-" + name + "-0";
            PersistentVolumeClaim claim = k.persistentVolumeClaims()
                    .inNamespace(ns)
                    .withName(claimName)
                    .get();
            if (claim == null) {
                continue;
            }
            String jobName = preUpdateJobName(claw, role, toVersion);
            Job job = k.batch().v1().jobs().inNamespace(ns).withName(jobName).get();
            if (job == null) {
                String prefix = dest.getPrefix() == null ? "" : dest.getPrefix().replaceAll("^/+|/+$", "");
                String key = (prefix.isEmpty() ? "" : prefix + "/") + ns + "/" + name + "/" + role.specName()
                        + "/before-" + version + "-" + claw.getMetadata().getUid() + ".tar.gz";
                k.resource(ArchiveJobs.job(
                                claw, role, claimName, dest, image, podSecurity, jobName, key, besideThePod(name)))
                        .create();
                running.add(role.specName());
                continue;
            }
            var pods = k.pods()
                    .inNamespace(ns)
                    .withLabel("job-name", jobName)
                    .list()
                    .getItems();
            switch (ArchiveJobs.state(job, pods)) {
                case ArchiveJobs.State.Running r -> running.add(role.specName());
                case ArchiveJobs.State.Succeeded s -> {}
                case ArchiveJobs.State.Failed f -> failed.add(role.specName() + " (Job " + jobName + "): " + f.why());
            }
        }
        if (!failed.isEmpty()) {
            return new Decision.Refuse("the archive before the update failed, so " + toVersion + " is not rolled out: "
                    + String.join("; ", failed));
        }
        if (!running.isEmpty()) {
            return new Decision.Wait(
                    "archiving " + String.join(", ", running) + " to s3://" + dest.getBucket() + " first", POLL);
        }
        return new Decision.Proceed();
    }

    /** One Job per volume and target version: a retried reconcile finds it, a later update makes its own. */
    public static String preUpdateJobName(Claw claw, VolumeRole role, String toVersion) {
        String hash = Integer.toHexString(toVersion.hashCode() & 0x7fffffff);
        String base = claw.getMetadata().getName() + "-pre-" + role.specName();
        return (base.length() > 50 ? base.substring(0, 50) : base) + "-" + hash;
    }

    /** Next to the Claw's pod: the only node where its ReadWriteOnce claims can be mounted while it runs. */
    private static Affinity besideThePod(String claw) {
        return new AffinityBuilder()
                .withNewPodAffinity()
                .addNewRequiredDuringSchedulingIgnoredDuringExecution()
                .withTopologyKey("kubernetes.io/hostname")
                .withNewLabelSelector()
                .addToMatchLabels("statefulset.kubernetes.io/pod-name", claw + "-0")
                .endLabelSelector()
                .endRequiredDuringSchedulingIgnoredDuringExecution()
                .endPodAffinity()
                .build();
    }
}
