package io.k8s4claw.operator.snapshot;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.k8s4claw.api.runtime.VolumeRole;
import io.k8s4claw.api.v1alpha1.Claw;
import io.k8s4claw.api.v1alpha1.ClawApi;
import io.k8s4claw.api.v1alpha1.PersistenceSpec;
import io.k8s4claw.api.v1alpha1.SnapshotSpec;
import io.k8s4claw.api.v1alpha1.VolumeSpec;
import io.k8s4claw.operator.update.CronSchedule;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Scheduled CSI snapshots of a Claw's claims ({@code spec.persistence.<volume>.snapshot}): on each reconcile, for
 * every volume with snapshots enabled, take the snapshot whose cron firing is due, prune the oldest beyond
 * {@code retain}, and report the newest. The CSI snapshot controller (not this operator) cuts the snapshot and
 * marks it {@code readyToUse}; VolumeSnapshots are not watched, so the reconcile is rescheduled for the next
 * firing and, while the newest snapshot is not ready yet, polls it.
 *
 * <p>Names are predictable: {@code <claim>-<yyyyMMdd-HHmm>} of the (UTC) firing the snapshot was taken for, so a
 * retried reconcile never takes the same firing twice (the second create is a 409). Snapshots carry the Claw's
 * instance label and no owner reference: they are backups and outlive the Claw (delete them by label).
 *
 * <p>Missed firings (operator down for a day) are not replayed: only the latest due firing is taken.
 */
public final class VolumeSnapshots {

    public static final ResourceDefinitionContext CONTEXT = new ResourceDefinitionContext.Builder()
            .withGroup("snapshot.storage.k8s.io")
            .withVersion("v1")
            .withKind("VolumeSnapshot")
            .withPlural("volumesnapshots")
            .withNamespaced(true)
            .build();
    /** Label naming the volume role (session, workspace, output) a snapshot was taken of. */
    public static final String LABEL_VOLUME = "claw.prismer.ai/volume";
    /** Annotation: the cron firing (RFC 3339, UTC) the snapshot was taken for. */
    public static final String ANNOTATION_SCHEDULED_FOR = "claw.prismer.ai/scheduled-for";

    static final Duration POLL_NOT_READY = Duration.ofSeconds(10);
    static final Duration RETRY_API_MISSING = Duration.ofMinutes(5);
    private static final DateTimeFormatter NAME_TIME =
            DateTimeFormatter.ofPattern("yyyyMMdd-HHmm").withZone(ZoneOffset.UTC);
    private static final int DEFAULT_RETAIN = 5;
    /** Bound on the walk over missed firings (a minute schedule after a week of downtime: ~10,000). */
    private static final int MAX_FIRINGS_WALKED = 200_000;

    /** The newest snapshot of one volume, as status reports it. */
    public record LastSnapshot(String name, String time, boolean ready) {}

    /**
     * What the reconcile reports: a condition (absent when no volume has snapshots on), the newest per volume, when to
     * look again.
     */
    public record Outcome(
            Optional<Condition> condition, Map<VolumeRole, LastSnapshot> last, Optional<Duration> recheckAfter) {
        static Outcome none() {
            return new Outcome(Optional.empty(), Map.of(), Optional.empty());
        }
    }

    /** The {@link ClawApi#CONDITION_SNAPSHOTS_READY} condition. */
    public record Condition(boolean ok, String reason, String message) {}

    private final InstantSource clock;

    public VolumeSnapshots(InstantSource clock) {
        this.clock = clock;
    }

    /**
     * @param claimNames claim name of each volume of the StatefulSet
     * @param claims     the claims as found (empty while the StatefulSet controller has not made one yet)
     */
    public Outcome reconcile(
            KubernetesClient client,
            Claw claw,
            Map<VolumeRole, String> claimNames,
            Map<VolumeRole, Optional<PersistentVolumeClaim>> claims) {
        Map<VolumeRole, SnapshotSpec> enabled = new EnumMap<>(VolumeRole.class);
        for (VolumeRole role : claimNames.keySet()) {
            SnapshotSpec spec = snapshotSpec(claw.getSpec().getPersistence(), role);
            if (spec != null && Boolean.TRUE.equals(spec.getEnabled()) && spec.getSchedule() != null) {
                enabled.put(role, spec);
            }
        }
        if (enabled.isEmpty()) {
            return Outcome.none();
        }
        String namespace = claw.getMetadata().getNamespace();
        List<GenericKubernetesResource> existing;
        try {
            existing = new ArrayList<>(client.genericKubernetesResources(CONTEXT)
                    .inNamespace(namespace)
                    .withLabel(ClawApi.LABEL_CLAW_INSTANCE, claw.getMetadata().getName())
                    .list()
                    .getItems());
        } catch (KubernetesClientException e) {
            if (e.getCode() == 404) {
                return new Outcome(
                        Optional.of(new Condition(
                                false,
                                "SnapshotAPIMissing",
                                "the cluster serves no "
                                        + "snapshot.storage.k8s.io/v1 VolumeSnapshot API, so no snapshots of "
                                        + volumes(enabled) + " are taken;"
                                        + " install the external-snapshotter CRDs and a CSI snapshot "
                                        + "controller, or set snapshot.enabled: false")),
                        Map.of(),
                        Optional.of(RETRY_API_MISSING));
            }
            if (e.getCode() == 403) {
                return new Outcome(
                        Optional.of(new Condition(
                                false,
                                "Forbidden",
                                "the operator may not list VolumeSnapshots in "
                                        + namespace
                                        + "; grant it get, list, create and delete on "
                                        + "volumesnapshots.snapshot.storage.k8s.io"
                                        + " (deploy/rbac does)")),
                        Map.of(),
                        Optional.of(RETRY_API_MISSING));
            }
            throw e;
        }

        Instant now = clock.instant();
        Map<VolumeRole, LastSnapshot> last = new EnumMap<>(VolumeRole.class);
        Map<String, String> failures = new LinkedHashMap<>();
        List<String> summary = new ArrayList<>();
        Duration recheck = null;
        for (Map.Entry<VolumeRole, SnapshotSpec> e : enabled.entrySet()) {
            VolumeRole role = e.getKey();
            SnapshotSpec spec = e.getValue();
            String claimName = claimNames.get(role);
            Optional<PersistentVolumeClaim> claim = claims.getOrDefault(role, Optional.empty());
            if (claim.isEmpty()) {
                summary.add(role.specName() + ": waiting for claim " + claimName);
                continue;
            }
            CronSchedule schedule = CronSchedule.parse(spec.getSchedule());
            List<GenericKubernetesResource> ofVolume = new ArrayList<>(existing.stream()
                    .filter(s -> role.specName().equals(labels(s).get(LABEL_VOLUME)))
                    .sorted(Comparator.comparing(VolumeSnapshots::scheduledFor))
                    .toList());
            Instant anchor = ofVolume.isEmpty()
                    ? Instant.parse(claim.get().getMetadata().getCreationTimestamp())
                    : scheduledFor(ofVolume.get(ofVolume.size() - 1));
            Optional<Instant> due = latestDue(schedule, anchor, now);
            if (due.isPresent()) {
                GenericKubernetesResource taken = take(client, claw, role, claimName, spec, due.get());
                ofVolume.add(taken);
                prune(client, ofVolume, spec.getRetain() == null ? DEFAULT_RETAIN : spec.getRetain());
            }
            Optional<Instant> next = schedule.next(now);
            if (next.isPresent()) {
                recheck = min(recheck, Duration.between(now, next.get()).plusSeconds(1));
            }
            if (ofVolume.isEmpty()) {
                summary.add(role.specName() + ": first snapshot at "
                        + next.map(Instant::toString).orElse("never (the schedule never fires)"));
                continue;
            }
            GenericKubernetesResource newest = ofVolume.get(ofVolume.size() - 1);
            boolean ready = Boolean.TRUE.equals(status(newest).get("readyToUse"));
            String time = status(newest).get("creationTime") instanceof String t
                    ? t
                    : scheduledFor(newest).toString();
            last.put(role, new LastSnapshot(newest.getMetadata().getName(), time, ready));
            if (status(newest).get("error") instanceof Map<?, ?> error) {
                failures.put(role.specName(), newest.getMetadata().getName() + ": " + error.get("message"));
            } else if (!ready) {
                recheck = min(recheck, POLL_NOT_READY);
            }
            summary.add(role.specName() + ": " + newest.getMetadata().getName() + (ready ? " ready" : " not ready yet")
                    + next.map(n -> ", next at " + n).orElse(""));
        }
        Condition condition = failures.isEmpty()
                ? new Condition(true, "Scheduled", String.join("; ", summary))
                : new Condition(
                        false,
                        "SnapshotFailed",
                        "the snapshot controller reports: "
                                + failures.entrySet().stream()
                                        .map(f -> f.getKey() + " " + f.getValue())
                                        .reduce((a, b) -> a + "; " + b)
                                        .orElse("")
                                + "; check the VolumeSnapshotClass and the CSI driver (kubectl describe "
                                + "volumesnapshot)");
        return new Outcome(Optional.of(condition), last, Optional.ofNullable(recheck));
    }

    /** The newest firing in (anchor, now], if any. */
    static Optional<Instant> latestDue(CronSchedule schedule, Instant anchor, Instant now) {
        Optional<Instant> f = schedule.next(anchor);
        if (f.isEmpty() || f.get().isAfter(now)) {
            return Optional.empty();
        }
        Instant due = f.get();
        for (int i = 0; i < MAX_FIRINGS_WALKED; i++) {
            Optional<Instant> g = schedule.next(due);
            if (g.isEmpty() || g.get().isAfter(now)) {
                break;
            }
            due = g.get();
        }
        return Optional.of(due);
    }

    /**
     * {@code <claim>-<yyyyMMdd-HHmm>}: the claim's name (≤ 63 in practice) plus 14 characters stays a valid object
     * name.
     */
    public static String snapshotName(String claimName, Instant firing) {
        return claimName + "-" + NAME_TIME.format(firing);
    }

    private static GenericKubernetesResource take(
            KubernetesClient client, Claw claw, VolumeRole role, String claimName, SnapshotSpec spec, Instant firing) {
        Map<String, Object> source = Map.of("persistentVolumeClaimName", claimName);
        Map<String, Object> body = new LinkedHashMap<>();
        if (spec.getVolumeSnapshotClass() != null
                && !spec.getVolumeSnapshotClass().isBlank()) {
            body.put("volumeSnapshotClassName", spec.getVolumeSnapshotClass());
        }
        // No class named: the snapshot controller uses the cluster's default VolumeSnapshotClass for the driver.
        body.put("source", source);
        GenericKubernetesResource snapshot = new GenericKubernetesResource();
        snapshot.setApiVersion("snapshot.storage.k8s.io/v1");
        snapshot.setKind("VolumeSnapshot");
        snapshot.setMetadata(new ObjectMetaBuilder()
                .withName(snapshotName(claimName, firing))
                .withNamespace(claw.getMetadata().getNamespace())
                .addToLabels(ClawApi.LABEL_NAME, ClawApi.LABEL_NAME_VALUE)
                .addToLabels(ClawApi.LABEL_CLAW_INSTANCE, claw.getMetadata().getName())
                .addToLabels(LABEL_VOLUME, role.specName())
                .addToAnnotations(ANNOTATION_SCHEDULED_FOR, firing.toString())
                .build());
        snapshot.setAdditionalProperty("spec", body);
        try {
            return client.genericKubernetesResources(CONTEXT)
                    .inNamespace(claw.getMetadata().getNamespace())
                    .resource(snapshot)
                    .create();
        } catch (KubernetesClientException e) {
            if (e.getCode() == 409) {
                // Taken already (a reconcile that lost its cache race): the firing is covered.
                return client.genericKubernetesResources(CONTEXT)
                        .inNamespace(claw.getMetadata().getNamespace())
                        .withName(snapshot.getMetadata().getName())
                        .get();
            }
            throw e;
        }
    }

    /** Deletes the oldest snapshots of one volume (sorted oldest first) beyond {@code retain}. */
    private static void prune(KubernetesClient client, List<GenericKubernetesResource> ofVolume, int retain) {
        while (ofVolume.size() > retain) {
            GenericKubernetesResource oldest = ofVolume.remove(0);
            client.genericKubernetesResources(CONTEXT)
                    .inNamespace(oldest.getMetadata().getNamespace())
                    .withName(oldest.getMetadata().getName())
                    .delete();
        }
    }

    private static Instant scheduledFor(GenericKubernetesResource s) {
        Map<String, String> annotations = s.getMetadata().getAnnotations();
        String at = annotations == null ? null : annotations.get(ANNOTATION_SCHEDULED_FOR);
        return at != null ? Instant.parse(at) : Instant.parse(s.getMetadata().getCreationTimestamp());
    }

    private static Map<String, String> labels(GenericKubernetesResource s) {
        return s.getMetadata().getLabels() == null ? Map.of() : s.getMetadata().getLabels();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> status(GenericKubernetesResource s) {
        return s.getAdditionalProperties().get("status") instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    private static SnapshotSpec snapshotSpec(PersistenceSpec persistence, VolumeRole role) {
        if (persistence == null) {
            return null;
        }
        VolumeSpec v = switch (role) {
            case SESSION -> persistence.getSession();
            case WORKSPACE -> persistence.getWorkspace();
            case OUTPUT -> persistence.getOutput();
        };
        return v == null ? null : v.getSnapshot();
    }

    private static String volumes(Map<VolumeRole, SnapshotSpec> enabled) {
        return String.join(
                ", ", enabled.keySet().stream().map(VolumeRole::specName).toList());
    }

    private static Duration min(Duration a, Duration b) {
        return a == null || b.compareTo(a) < 0 ? b : a;
    }
}
