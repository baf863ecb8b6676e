package io.k8s4claw.operator.archive;

import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.k8s4claw.api.runtime.VolumeRole;
import io.k8s4claw.api.v1alpha1.Claw;
import io.k8s4claw.api.v1alpha1.VolumeSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What the pod's restore init steps ({@code restoreFrom.archiveKey}) report, read from their container statuses: the
 * archiver's one-line outcome is each step's termination message. A failed step keeps failing (the kubelet retries
 * it with back-off) and the runtime never starts: the Claw says why instead of waiting silently.
 */
public final class RestoreProgress {

    /** The {@code Restored} condition: {@code failed} also makes the phase Failed. */
    public record Report(Boolean ok, String reason, String message, boolean failed) {}

    private RestoreProgress() {}

    /** Empty when no volume restores from an archive. */
    public static Optional<Report> of(Claw claw, Optional<Pod> pod) {
        List<VolumeRole> roles = new ArrayList<>();
        var p = claw.getSpec().getPersistence();
        for (VolumeRole role : VolumeRole.values()) {
            VolumeSpec v = p == null
                    ? null
                    : switch (role) {
                        case SESSION -> p.getSession();
                        case WORKSPACE -> p.getWorkspace();
                        case OUTPUT -> p.getOutput();
                    };
            if (v != null && v.getRestoreFrom() != null && v.getRestoreFrom().getArchiveKey() != null) {
                roles.add(role);
            }
        }
        if (roles.isEmpty()) {
            return Optional.empty();
        }
        List<String> failed = new ArrayList<>();
        List<String> done = new ArrayList<>();
        List<String> waiting = new ArrayList<>();
        List<ContainerStatus> statuses = pod.map(
                        x -> x.getStatus() == null || x.getStatus().getInitContainerStatuses() == null
                                ? List.<ContainerStatus>of()
                                : x.getStatus().getInitContainerStatuses())
                .orElse(List.of());
        for (VolumeRole role : roles) {
            String name = ArchiveJobs.restoreContainerName(role);
            Optional<ContainerStatus> s =
                    statuses.stream().filter(c -> c.getName().equals(name)).findFirst();
            ContainerStateTerminated now =
                    s.map(ContainerStatus::getState).map(x -> x.getTerminated()).orElse(null);
            ContainerStateTerminated before = s.map(ContainerStatus::getLastState)
                    .map(x -> x.getTerminated())
                    .orElse(null);
            if (now != null && now.getExitCode() != null && now.getExitCode() == 0) {
                done.add(role.specName() + ": " + text(now, "restored"));
            } else if (now != null) {
                failed.add(role.specName() + ": " + text(now, "exit " + now.getExitCode()));
            } else if (before != null && before.getExitCode() != null && before.getExitCode() != 0) {
                failed.add(role.specName() + ": " + text(before, "exit " + before.getExitCode()));
            } else {
                waiting.add(role.specName());
            }
        }
        if (!failed.isEmpty()) {
            return Optional.of(new Report(
                    false,
                    "RestoreFailed",
                    "restoring from the archive failed, so the runtime does not start on" + " an empty volume: "
                            + String.join("; ", failed)
                            + "; fix the archive or restoreFrom (a new Claw) and delete the pod",
                    true));
        }
        if (!waiting.isEmpty()) {
            return Optional.of(new Report(
                    null, "Restoring", "restoring " + String.join(", ", waiting) + " from the archive", false));
        }
        return Optional.of(new Report(true, "Restored", String.join("; ", done), false));
    }

    private static String text(ContainerStateTerminated t, String fallback) {
        return t.getMessage() == null || t.getMessage().isBlank()
                ? fallback
                : t.getMessage().strip();
    }
}
