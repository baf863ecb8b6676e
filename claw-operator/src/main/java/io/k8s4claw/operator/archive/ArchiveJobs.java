package io.k8s4claw.operator.archive;

import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSecurityContextBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.k8s4claw.api.runtime.VolumeRole;
import io.k8s4claw.api.v1alpha1.ArchiveDestination;
import io.k8s4claw.api.v1alpha1.Claw;
import io.k8s4claw.api.v1alpha1.ClawApi;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The Jobs that archive a Claw's claims before {@code reclaimPolicy: Archive} releases them: one per claim, running
 * {@code claw archive} from the operator's own image with the claim mounted read-only, credentials from the
 * destination's Secret (keys {@value S3Target#ACCESS_KEY_ENV} and {@value S3Target#SECRET_KEY_ENV}) as environment,
 * the outcome in the container's termination message. Keys are
 * {@code <prefix>/<namespace>/<claw>/<volume>/<claw uid>.tar.gz}: one per Claw incarnation, the same on every retry.
 */
public final class ArchiveJobs {

    public static final String LABEL_ARCHIVE = "claw.prismer.ai/archive";
    private static final String MOUNT = "/volume";

    private ArchiveJobs() {}

    /** A Job's state as the deletion sees it. */
    public sealed interface State {
        record Running() implements State {}

        record Succeeded(String result) implements State {}

        record Failed(String why) implements State {}
    }

    public static String jobName(Claw claw, VolumeRole role) {
        String name = claw.getMetadata().getName() + "-archive-" + role.specName();
        return name.length() <= 63 ? name : name.substring(0, 50) + "-" + Integer.toHexString(name.hashCode());
    }

    public static String key(ArchiveDestination dest, Claw claw, VolumeRole role) {
        String prefix = dest.getPrefix() == null ? "" : dest.getPrefix().replaceAll("^/+|/+$", "");
        return (prefix.isEmpty() ? "" : prefix + "/") + claw.getMetadata().getNamespace() + "/"
                + claw.getMetadata().getName() + "/" + role.specName() + "/"
                + claw.getMetadata().getUid() + ".tar.gz";
    }

    /**
     * @param podSecurity the Claw pod's security context (its fsGroup makes the volume readable to the archiver)
     */
    public static Job job(
            Claw claw,
            VolumeRole role,
            String claimName,
            ArchiveDestination dest,
            String image,
            PodSecurityContext podSecurity) {
        return job(claw, role, claimName, dest, image, podSecurity, jobName(claw, role), key(dest, claw, role), null);
    }

    /**
     * @param affinity where the Job's pod must run: next to the Claw's running pod when the runtime keeps the
     *                 (ReadWriteOnce) claim mounted, as before an update; null when the runtime was stopped first
     */
    public static Job job(
            Claw claw,
            VolumeRole role,
            String claimName,
            ArchiveDestination dest,
            String image,
            PodSecurityContext podSecurity,
            String jobName,
            String key,
            Affinity affinity) {
        List<String> args = archiverArgs("archive", MOUNT, key, dest);
        List<EnvVar> env = List.of(secretEnv(S3Target.ACCESS_KEY_ENV, dest), secretEnv(S3Target.SECRET_KEY_ENV, dest));
        Container archiver = new ContainerBuilder()
                .withName("archive")
                .withImage(image)
                .withArgs(args)
                .withEnv(env)
                .withTerminationMessagePolicy("FallbackToLogsOnError")
                .addNewVolumeMount()
                .withName("volume")
                .withMountPath(MOUNT)
                .withReadOnly(true)
                .endVolumeMount()
                .withNewSecurityContext()
                .withAllowPrivilegeEscalation(false)
                .withReadOnlyRootFilesystem(true)
                .withRunAsNonRoot(true)
                .withRunAsUser(65532L)
                .withNewCapabilities()
                .withDrop("ALL")
                .endCapabilities()
                .withNewSeccompProfile()
                .withType("RuntimeDefault")
                .endSeccompProfile()
                .endSecurityContext()
                .withNewResources()
                .addToRequests("cpu", new Quantity("100m"))
                .addToRequests("memory", new Quantity("256Mi"))
                .addToLimits("memory", new Quantity("512Mi"))
                .endResources()
                .build();
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(ClawApi.LABEL_NAME, ClawApi.LABEL_NAME_VALUE);
        labels.put(ClawApi.LABEL_CLAW_INSTANCE, claw.getMetadata().getName());
        labels.put(LABEL_ARCHIVE, role.specName());
        PodSecurityContext security = new PodSecurityContextBuilder()
                .withRunAsNonRoot(true)
                .withFsGroup(podSecurity == null ? null : podSecurity.getFsGroup())
                .withSupplementalGroups(
                        podSecurity == null || podSecurity.getFsGroup() == null
                                ? List.of()
                                : List.of(podSecurity.getFsGroup()))
                .withNewSeccompProfile()
                .withType("RuntimeDefault")
                .endSeccompProfile()
                .build();
        return new JobBuilder()
                .withNewMetadata()
                .withName(jobName)
                .withNamespace(claw.getMetadata().getNamespace())
                .withLabels(labels)
                .withOwnerReferences(new OwnerReferenceBuilder()
                        .withApiVersion(claw.getApiVersion())
                        .withKind(claw.getKind())
                        .withName(claw.getMetadata().getName())
                        .withUid(claw.getMetadata().getUid())
                        .withController(true)
                        .withBlockOwnerDeletion(false)
                        .build())
                .endMetadata()
                .withNewSpec()
                // The SDK retries each part; a run that still fails is reported, not repeated with the same outcome.
                .withBackoffLimit(0)
                .withNewTemplate()
                .withNewMetadata()
                .withLabels(labels)
                .endMetadata()
                .withNewSpec()
                .withRestartPolicy("Never")
                .withAffinity(affinity)
                .withAutomountServiceAccountToken(false)
                .withEnableServiceLinks(false)
                .withSecurityContext(security)
                .withContainers(archiver)
                .addNewVolume()
                .withName("volume")
                .withNewPersistentVolumeClaim()
                .withClaimName(claimName)
                .withReadOnly(true)
                .endPersistentVolumeClaim()
                .endVolume()
                .endSpec()
                .endTemplate()
                .endSpec()
                .build();
    }

    /** Name of the init container that restores {@code role} from an archive. */
    public static String restoreContainerName(VolumeRole role) {
        return "claw-restore-" + role.specName();
    }

    /**
     * The init step that fills a new claim from an archive before anything else in the pod runs: {@code claw restore}
     * (SHA-256 checked before unpacking; a missing or corrupt archive fails the step, so the runtime never starts on
     * an empty volume), as the runtime's user so the files are the runtime's.
     */
    public static Container restoreContainer(
            VolumeRole role, String volumeName, String key, ArchiveDestination dest, String image, Long runAsUser) {
        List<String> args = archiverArgs("restore", "/restore", key, dest);
        return new ContainerBuilder()
                .withName(restoreContainerName(role))
                .withImage(image)
                .withArgs(args)
                .withEnv(secretEnv(S3Target.ACCESS_KEY_ENV, dest), secretEnv(S3Target.SECRET_KEY_ENV, dest))
                .withTerminationMessagePolicy("FallbackToLogsOnError")
                .addNewVolumeMount()
                .withName(volumeName)
                .withMountPath("/restore")
                .endVolumeMount()
                .withNewSecurityContext()
                .withAllowPrivilegeEscalation(false)
                .withReadOnlyRootFilesystem(true)
                .withRunAsNonRoot(true)
                .withRunAsUser(runAsUser == null ? 65532L : runAsUser)
                .withNewCapabilities()
                .withDrop("ALL")
                .endCapabilities()
                .withNewSeccompProfile()
                .withType("RuntimeDefault")
                .endSeccompProfile()
                .endSecurityContext()
                .withNewResources()
                .addToRequests("cpu", new Quantity("100m"))
                .addToRequests("memory", new Quantity("256Mi"))
                .addToLimits("memory", new Quantity("512Mi"))
                .endResources()
                .build();
    }

    private static EnvVar secretEnv(String name, ArchiveDestination dest) {
        return new EnvVarBuilder()
                .withName(name)
                .withNewValueFrom()
                .withNewSecretKeyRef()
                .withName(dest.getSecretRef().getName())
                .withKey(name)
                .endSecretKeyRef()
                .endValueFrom()
                .build();
    }

    /** The Job's state; a failure's reason is the archiver's termination message when a pod left one. */
    public static State state(Job job, List<Pod> pods) {
        var s = job.getStatus();
        if (s != null && s.getSucceeded() != null && s.getSucceeded() > 0) {
            return new State.Succeeded(message(pods).orElse("archived"));
        }
        boolean failed = s != null
                && s.getConditions() != null
                && s.getConditions().stream()
                        .anyMatch(c -> "Failed".equals(c.getType()) && "True".equals(c.getStatus()));
        if (failed) {
            String condition = s.getConditions().stream()
                    .filter(c -> "Failed".equals(c.getType()))
                    .findFirst()
                    .map(c -> c.getReason() + ": " + c.getMessage())
                    .orElse("failed");
            return new State.Failed(message(pods).orElse(condition));
        }
        return new State.Running();
    }

    private static Optional<String> message(List<Pod> pods) {
        return pods.stream()
                .filter(p -> p.getStatus() != null && p.getStatus().getContainerStatuses() != null)
                .flatMap(p -> p.getStatus().getContainerStatuses().stream())
                .filter(c -> c.getState() != null
                        && c.getState().getTerminated() != null
                        && c.getState().getTerminated().getMessage() != null)
                .map(c -> c.getState().getTerminated().getMessage().strip())
                .filter(m -> !m.isEmpty())
                .reduce((a, b) -> b);
    }

    /** The {@code claw archive|restore} command line: where, which object, and how to reach the store. */
    private static List<String> archiverArgs(String command, String dir, String key, ArchiveDestination dest) {
        List<String> args = new ArrayList<>(List.of(
                command,
                "--dir",
                dir,
                "--bucket",
                dest.getBucket(),
                "--key",
                key,
                "--result-file",
                "/dev/termination-log"));
        if (dest.getEndpoint() != null && !dest.getEndpoint().isBlank()) {
            args.addAll(List.of("--endpoint", dest.getEndpoint()));
        }
        if (dest.getRegion() != null && !dest.getRegion().isBlank()) {
            args.addAll(List.of("--region", dest.getRegion()));
        }
        if (Boolean.TRUE.equals(dest.getForcePathStyle())) {
            args.add("--path-style");
        }
        return args;
    }
}
