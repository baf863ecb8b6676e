package io.k8s4claw.operator.reconcile;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.k8s4claw.api.runtime.VolumeRole;
import io.k8s4claw.api.v1alpha1.AutoUpdateStatus;
import io.k8s4claw.api.v1alpha1.ChannelStatus;
import io.k8s4claw.api.v1alpha1.Claw;
import io.k8s4claw.api.v1alpha1.ClawPhase;
import io.k8s4claw.api.v1alpha1.ClawStatus;
import io.k8s4claw.api.v1alpha1.PersistenceStatus;
import io.k8s4claw.api.v1alpha1.VolumeStatus;
import io.k8s4claw.operator.snapshot.VolumeSnapshots;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Builds a Claw's status from what the reconcile found. Conditions keep their {@code lastTransitionTime} while
 * their status is unchanged, so an unchanged world produces an equal status (and no write).
 */
final class ClawStatusBuilder {

    private final Claw claw;
    private final List<Condition> conditions = new ArrayList<>();
    private ClawPhase phase = ClawPhase.PENDING;
    private List<ChannelStatus> channels = List.of();
    private PersistenceStatus persistence;
    private AutoUpdateStatus autoUpdate;

    ClawStatusBuilder(Claw claw) {
        this.claw = claw;
    }

    ClawStatusBuilder phase(ClawPhase phase) {
        this.phase = phase;
        return this;
    }

    ClawStatusBuilder condition(String type, boolean ok, String reason, String message) {
        conditions.add(new ConditionBuilder()
                .withType(type)
                .withStatus(ok ? "True" : "False")
                .withReason(reason)
                .withMessage(message)
                .withObservedGeneration(claw.getMetadata().getGeneration())
                .build());
        return this;
    }

    ClawStatusBuilder unknown(String type, String reason, String message) {
        conditions.add(new ConditionBuilder()
                .withType(type)
                .withStatus("Unknown")
                .withReason(reason)
                .withMessage(message)
                .withObservedGeneration(claw.getMetadata().getGeneration())
                .build());
        return this;
    }

    ClawStatusBuilder channels(List<ChannelStatus> channels) {
        this.channels = channels;
        return this;
    }

    ClawStatusBuilder persistence(
            Map<VolumeRole, Optional<PersistentVolumeClaim>> claims, Map<VolumeRole, String> claimNames) {
        if (claimNames.isEmpty()) {
            return this;
        }
        PersistenceStatus status = new PersistenceStatus();
        claimNames.forEach((role, name) -> {
            VolumeStatus v = new VolumeStatus();
            v.setPvcName(name);
            claims.getOrDefault(role, Optional.empty())
                    .map(pvc -> pvc.getStatus() == null || pvc.getStatus().getCapacity() == null
                            ? null
                            : pvc.getStatus().getCapacity().get("storage"))
                    .map(q -> Quantity.getAmountInBytes(q).longValue())
                    .ifPresent(v::setCapacityBytes);
            switch (role) {
                case SESSION -> status.setSession(v);
                case WORKSPACE -> status.setWorkspace(v);
                case OUTPUT -> status.setOutput(v);
            }
        });
        this.persistence = status;
        return this;
    }

    /** The newest scheduled snapshot of each volume, on the volumes {@link #persistence} reported. */
    ClawStatusBuilder snapshots(Map<VolumeRole, VolumeSnapshots.LastSnapshot> last) {
        if (persistence == null) {
            return this;
        }
        last.forEach((role, snapshot) -> {
            VolumeStatus v = switch (role) {
                case SESSION -> persistence.getSession();
                case WORKSPACE -> persistence.getWorkspace();
                case OUTPUT -> persistence.getOutput();
            };
            if (v != null) {
                v.setLastSnapshot(snapshot.time());
                v.setLastSnapshotName(snapshot.name());
                v.setLastSnapshotReady(snapshot.ready());
            }
        });
        return this;
    }

    /** {@code status.autoUpdate} as auto-update computed it (unset: the previous one is kept). */
    ClawStatusBuilder autoUpdate(AutoUpdateStatus autoUpdate) {
        this.autoUpdate = autoUpdate;
        return this;
    }

    ClawStatus build(ClawStatus previous) {
        ClawStatus status = new ClawStatus();
        status.setPhase(phase);
        status.setObservedGeneration(claw.getMetadata().getGeneration());
        String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        List<Condition> out = new ArrayList<>();
        for (Condition c : conditions) {
            Condition old = previous == null || previous.getConditions() == null
                    ? null
                    : previous.getConditions().stream()
                            .filter(p -> p.getType().equals(c.getType()))
                            .findFirst()
                            .orElse(null);
            c.setLastTransitionTime(
                    old != null && Objects.equals(old.getStatus(), c.getStatus()) && old.getLastTransitionTime() != null
                            ? old.getLastTransitionTime()
                            : now);
            out.add(c);
        }
        status.setConditions(out);
        status.setChannels(channels.isEmpty() ? null : channels);
        status.setPersistence(persistence);
        if (autoUpdate != null) {
            status.setAutoUpdate(autoUpdate);
        } else if (previous != null) {
            status.setAutoUpdate(previous.getAutoUpdate());
        }
        return status;
    }

    /** The StatefulSet has rolled out its current template and its pod is ready. */
    static boolean rolledOutAndReady(StatefulSet sts) {
        var s = sts.getStatus();
        if (s == null) {
            return false;
        }
        boolean observed = sts.getMetadata().getGeneration() == null
                || (s.getObservedGeneration() != null
                        && s.getObservedGeneration() >= sts.getMetadata().getGeneration());
        boolean current =
                s.getUpdateRevision() == null || Objects.equals(s.getUpdateRevision(), s.getCurrentRevision());
        return observed && current && s.getReadyReplicas() != null && s.getReadyReplicas() >= 1;
    }

    static boolean rollingOut(StatefulSet sts) {
        var s = sts.getStatus();
        if (s == null) {
            return true;
        }
        boolean observed = sts.getMetadata().getGeneration() == null
                || (s.getObservedGeneration() != null
                        && s.getObservedGeneration() >= sts.getMetadata().getGeneration());
        return !observed
                || (s.getUpdateRevision() != null && !Objects.equals(s.getUpdateRevision(), s.getCurrentRevision()));
    }

    static boolean sameIgnoringTimes(ClawStatus a, ClawStatus b) {
        if (a == null || b == null) {
            return a == b;
        }
        return Objects.equals(a.getPhase(), b.getPhase())
                && Objects.equals(a.getObservedGeneration(), b.getObservedGeneration())
                && Objects.equals(a.getChannels(), b.getChannels())
                && Objects.equals(a.getPersistence(), b.getPersistence())
                && Objects.equals(a.getAutoUpdate(), b.getAutoUpdate())
                && Objects.equals(a.getConditions(), b.getConditions());
    }
}
