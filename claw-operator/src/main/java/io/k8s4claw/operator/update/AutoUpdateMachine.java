package io.k8s4claw.operator.update;

import io.k8s4claw.api.retry.Backoff;
import io.k8s4claw.api.v1alpha1.AutoUpdateStatus;
import io.k8s4claw.api.v1alpha1.VersionHistoryEntry;
import io.k8s4claw.api.v1alpha1.VersionHistoryStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Supplier;

/**
 * The auto-update state machine, a pure function of the previous {@code status.autoUpdate}, the policy, the time and
 * what the reconciler saw — no clients, no clock of its own, so every transition is a table row in its test.
 *
 * <pre>
 *  steady ──(check due, registry lists a newer acceptable tag, pre-update hook proceeds)──▶ on trial (pendingVersion)
 *  on trial ──(pod Ready and runtime ready on the new version)──▶ steady, lastGoodVersion = it        [UpdateSucceeded]
 *  on trial ──(healthTimeout passed)──▶ steady on lastGoodVersion, rollbackCount + 1                    [RolledBack]
 *            └─ rollbackCount reached maxRollbacks: the version joins failedVersions (its circuit opens) [CircuitOpen]
 *  steady ──(registry fails)──▶ steady, running version untouched, next check after a growing backoff
 *                               [RegistryCheckFailed]
 *  any ──(spec.autoUpdate or spec.image changed)──▶ circuits closed, check at once (from the spec's tag if the image
 *                                                   changed)
 * </pre>
 * Updates start only from a version that was healthy (so there is always one to roll back to), rollbacks go to
 * {@code lastGoodVersion} only, and only semantic-version tags ever get there — never {@code latest}.
 */
public final class AutoUpdateMachine {

    /** Type of the Claw condition the machine keeps. */
    public static final String CONDITION = "AutoUpdate";

    static final int HISTORY_LIMIT = 20;
    /** How often a trial is looked at when nothing else wakes the Claw. */
    static final Duration TRIAL_POLL = Duration.ofSeconds(15);
    /** The first retry of a failed registry check; doubling up to {@link #MAX_RETRY}. */
    static final Duration FIRST_RETRY = Duration.ofSeconds(30);

    static final Duration MAX_RETRY = Duration.ofHours(1);
    static final Backoff REGISTRY_BACKOFF = new Backoff(FIRST_RETRY, MAX_RETRY);

    /** An Event to record. */
    public record Note(boolean warning, String reason, String message) {}

    /** The {@code AutoUpdate} condition: {@code ok} is its status. */
    public record Verdict(boolean ok, String reason, String message) {}

    /**
     * @param status     the new {@code status.autoUpdate}
     * @param runVersion the tag the StatefulSet should run
     * @param condition  the new condition, empty to keep the previous one
     * @param wakeAfter  when to look again at the latest (a trial's deadline, the next check)
     */
    public record Step(
            AutoUpdateStatus status,
            String runVersion,
            List<Note> events,
            Optional<Verdict> condition,
            Duration wakeAfter) {
        public Step {
            events = List.copyOf(events);
        }
    }

    /**
     * What the reconciler saw of the version the StatefulSet runs now.
     *
     * @param healthy the pod is Ready, rolled out to the current template, and the runtime container is ready (its
     *                readiness probe is the runtime's own health endpoint)
     * @param detail  why not, for the rollback's reason
     */
    public record Health(boolean healthy, String detail) {}

    private AutoUpdateMachine() {}

    public static Step advance(
            AutoUpdateStatus previous,
            AutoUpdatePolicy policy,
            Instant now,
            Health health,
            Supplier<TagListing> registry,
            BiFunction<String, String, PreUpdateHook.Decision> hook) {
        AutoUpdateStatus s = copy(previous);
        List<Note> events = new ArrayList<>();
        Optional<Verdict> condition = Optional.empty();

        if (!policy.fingerprint().equals(s.getSpecFingerprint())) {
            boolean imageChanged = s.getSpecFingerprint() == null
                    || !s.getSpecFingerprint().startsWith(policy.imageFingerprint() + "-")
                    || s.getCurrentVersion() == null;
            boolean hadCircuits =
                    s.getFailedVersions() != null && !s.getFailedVersions().isEmpty();
            if (imageChanged) {
                if (s.getCurrentVersion() != null && !s.getCurrentVersion().equals(policy.baseline())) {
                    s.setPreviousVersion(s.getCurrentVersion());
                }
                s.setCurrentVersion(policy.baseline());
                s.setLastGoodVersion(null);
                s.setPendingVersion(null);
                s.setPendingSince(null);
            }
            s.setFailedVersions(null);
            s.setRollbackCount(0);
            s.setCircuitOpen(false);
            s.setRegistryFailures(0);
            s.setNextCheck(null);
            s.setSpecFingerprint(policy.fingerprint());
            if (hadCircuits) {
                events.add(new Note(
                        false,
                        "CircuitsClosed",
                        "spec.autoUpdate or spec.image changed: blocked versions may be tried again"));
            }
        }

        if (s.getPendingVersion() != null) {
            String pending = s.getPendingVersion();
            Instant since = Instant.parse(s.getPendingSince());
            Instant deadline = since.plus(policy.healthTimeout());
            if (health.healthy()) {
                s.setLastGoodVersion(pending);
                s.setLastUpdate(now.toString());
                s.setRollbackCount(0);
                s.setPendingVersion(null);
                s.setPendingSince(null);
                String took = "healthy after " + Duration.between(since, now).toSeconds() + "s";
                history(s, entry(pending, since, VersionHistoryStatus.HEALTHY, took, s.getPreviousVersion()));
                events.add(new Note(
                        false,
                        "UpdateSucceeded",
                        "updated from " + s.getPreviousVersion() + " to " + pending + ": " + took));
                condition = Optional.of(upToDateOrOpen(s, policy));
            } else if (!now.isBefore(deadline)) {
                String back = s.getLastGoodVersion();
                int failures = (s.getRollbackCount() == null ? 0 : s.getRollbackCount()) + 1;
                String reason = "not healthy within " + human(policy.healthTimeout()) + ": " + health.detail();
                history(s, entry(pending, since, VersionHistoryStatus.ROLLED_BACK, reason, back));
                s.setRollbackCount(failures);
                s.setPreviousVersion(pending);
                s.setCurrentVersion(back);
                s.setPendingVersion(null);
                s.setPendingSince(null);
                events.add(new Note(
                        true,
                        "RolledBack",
                        pending + " " + reason + "; rolled back to " + back + " (failure " + failures + " of "
                                + policy.maxRollbacks() + ")"));
                if (failures >= policy.maxRollbacks()) {
                    List<String> failed =
                            new ArrayList<>(s.getFailedVersions() == null ? List.of() : s.getFailedVersions());
                    if (!failed.contains(pending)) {
                        failed.add(pending);
                    }
                    s.setFailedVersions(failed);
                    s.setRollbackCount(0);
                    events.add(new Note(
                            true,
                            "CircuitOpen",
                            pending + " failed " + failures + " time(s); it is not tried again until "
                                    + "spec.autoUpdate or spec.image changes"));
                }
                s.setCircuitOpen(
                        s.getFailedVersions() != null && s.getFailedVersions().contains(s.getAvailableVersion()));
                Instant cron = policy.schedule().next(now).orElse(now.plus(MAX_RETRY));
                if (s.getNextCheck() == null || Instant.parse(s.getNextCheck()).isBefore(cron)) {
                    s.setNextCheck(cron.toString());
                }
                condition = Optional.of(new Verdict(
                        false,
                        "RolledBack",
                        pending + " " + reason + "; running " + back + " again"
                                + (failures >= policy.maxRollbacks() ? "; circuit open for " + pending : "")));
            } else {
                condition = Optional.of(new Verdict(
                        true,
                        "Updating",
                        "rolled out " + pending + "; waiting up to " + human(policy.healthTimeout())
                                + " for it to become healthy (" + health.detail() + ")"));
                return new Step(
                        s, s.getCurrentVersion(), events, condition, min(Duration.between(now, deadline), TRIAL_POLL));
            }
            return new Step(s, s.getCurrentVersion(), events, condition, untilNextCheck(s, now));
        }

        if (health.healthy() && SemVer.parse(s.getCurrentVersion()).isPresent()) {
            s.setLastGoodVersion(s.getCurrentVersion());
        }
        boolean due = s.getNextCheck() == null || !now.isBefore(Instant.parse(s.getNextCheck()));
        if (!due) {
            return new Step(s, s.getCurrentVersion(), events, condition, untilNextCheck(s, now));
        }
        if (s.getLastGoodVersion() == null || !s.getLastGoodVersion().equals(s.getCurrentVersion())) {
            // Never leave a version that was not seen healthy: there would be nothing to roll back to.
            condition = Optional.of(new Verdict(
                    false,
                    "WaitingForHealthyVersion",
                    "updates start once " + s.getCurrentVersion() + " is healthy (" + health.detail() + ")"));
            return new Step(s, s.getCurrentVersion(), events, condition, TRIAL_POLL);
        }

        TagListing listing = registry.get();
        s.setLastCheck(now.toString());
        switch (listing) {
            case TagListing.Failed failed -> {
                int attempts = (s.getRegistryFailures() == null ? 0 : s.getRegistryFailures()) + 1;
                s.setRegistryFailures(attempts);
                Duration retry = backoff(attempts);
                s.setNextCheck(now.plus(retry).toString());
                events.add(new Note(true, "RegistryCheckFailed", failed.message()));
                condition = Optional.of(new Verdict(
                        false,
                        failed.problem().reason(),
                        failed.message() + " (attempt " + attempts + ", next in " + human(retry) + "; "
                                + s.getCurrentVersion() + " keeps running)"));
                return new Step(s, s.getCurrentVersion(), events, condition, retry);
            }
            case TagListing.Tags tags -> {
                s.setRegistryFailures(0);
                Instant next = policy.schedule().next(now).orElse(now.plus(MAX_RETRY));
                s.setNextCheck(next.toString());
                Set<String> blocked = new HashSet<>(s.getFailedVersions() == null ? List.of() : s.getFailedVersions());
                Optional<SemVer> newest = policy.selector().newest(tags.tags());
                s.setAvailableVersion(newest.map(SemVer::tag).orElse(null));
                s.setCircuitOpen(newest.map(v -> blocked.contains(v.tag())).orElse(false));
                Optional<SemVer> candidate = policy.selector().select(tags.tags(), s.getCurrentVersion(), blocked);
                if (candidate.isEmpty()) {
                    condition = Optional.of(upToDateOrOpen(s, policy));
                    return new Step(s, s.getCurrentVersion(), events, condition, untilNextCheck(s, now));
                }
                String to = candidate.get().tag();
                switch (hook.apply(s.getCurrentVersion(), to)) {
                    case PreUpdateHook.Decision.Wait wait -> {
                        s.setNextCheck(now.plus(wait.after()).toString());
                        condition = Optional.of(new Verdict(
                                true, "WaitingForPreUpdateHook", "update to " + to + " waits: " + wait.reason()));
                        return new Step(s, s.getCurrentVersion(), events, condition, wait.after());
                    }
                    case PreUpdateHook.Decision.Refuse refuse -> {
                        events.add(new Note(true, "UpdateBlocked", "not updating to " + to + ": " + refuse.reason()));
                        condition = Optional.of(new Verdict(
                                false, "PreUpdateHookFailed", "not updating to " + to + ": " + refuse.reason()));
                        return new Step(s, s.getCurrentVersion(), events, condition, untilNextCheck(s, now));
                    }
                    case PreUpdateHook.Decision.Proceed proceed -> {
                        // rollbackCount counts the failures of one version in a row: trying another starts afresh.
                        List<VersionHistoryEntry> h = s.getVersionHistory();
                        VersionHistoryEntry last = h == null || h.isEmpty() ? null : h.get(h.size() - 1);
                        if (last == null
                                || last.getStatus() != VersionHistoryStatus.ROLLED_BACK
                                || !to.equals(last.getVersion())) {
                            s.setRollbackCount(0);
                        }
                        s.setPreviousVersion(s.getCurrentVersion());
                        s.setCurrentVersion(to);
                        s.setPendingVersion(to);
                        s.setPendingSince(now.toString());
                        events.add(new Note(
                                false,
                                "UpdateStarted",
                                "rolling from " + s.getPreviousVersion() + " to " + to + " (newest tag matching "
                                        + constraintText(policy) + ")"));
                        condition = Optional.of(new Verdict(
                                true,
                                "Updating",
                                "rolled out " + to + "; waiting up to " + human(policy.healthTimeout())
                                        + " for it to become healthy"));
                        return new Step(s, to, events, condition, TRIAL_POLL);
                    }
                }
            }
        }
    }

    private static Verdict upToDateOrOpen(AutoUpdateStatus s, AutoUpdatePolicy policy) {
        if (Boolean.TRUE.equals(s.getCircuitOpen())) {
            return new Verdict(
                    false,
                    "CircuitOpen",
                    s.getAvailableVersion() + " failed its health check " + policy.maxRollbacks()
                            + " time(s) and is not tried again until spec.autoUpdate or spec.image changes; running "
                            + s.getCurrentVersion());
        }
        return new Verdict(
                true,
                "UpToDate",
                "running " + s.getCurrentVersion() + "; no newer tag matches " + constraintText(policy)
                        + (s.getNextCheck() == null ? "" : "; next check " + s.getNextCheck()));
    }

    private static String constraintText(AutoUpdatePolicy policy) {
        return policy.selector().constraint().map(c -> "\"" + c.text() + "\"").orElse("any release");
    }

    /**
     * The delay before the next try after {@code attempts} failed checks: the project's backoff, 30 s doubling to 1 h.
     */
    static Duration backoff(int attempts) {
        return REGISTRY_BACKOFF.delay(attempts);
    }

    private static Duration untilNextCheck(AutoUpdateStatus s, Instant now) {
        if (s.getNextCheck() == null) {
            return Duration.ZERO;
        }
        Duration d = Duration.between(now, Instant.parse(s.getNextCheck()));
        return d.isNegative() ? Duration.ZERO : d;
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) < 0 ? (a.isNegative() ? Duration.ZERO : a) : b;
    }

    static String human(Duration d) {
        long s = d.toSeconds();
        return s % 3600 == 0 && s > 0 ? s / 3600 + "h" : s % 60 == 0 && s > 0 ? s / 60 + "m" : s + "s";
    }

    private static VersionHistoryEntry entry(
            String version, Instant appliedAt, VersionHistoryStatus outcome, String reason, String previous) {
        VersionHistoryEntry e = new VersionHistoryEntry();
        e.setVersion(version);
        e.setAppliedAt(appliedAt.toString());
        e.setStatus(outcome);
        e.setReason(reason);
        e.setPreviousVersion(previous);
        return e;
    }

    private static void history(AutoUpdateStatus s, VersionHistoryEntry e) {
        List<VersionHistoryEntry> h =
                new ArrayList<>(s.getVersionHistory() == null ? List.of() : s.getVersionHistory());
        h.add(e);
        while (h.size() > HISTORY_LIMIT) {
            h.remove(0);
        }
        s.setVersionHistory(h);
    }

    private static AutoUpdateStatus copy(AutoUpdateStatus p) {
        AutoUpdateStatus s = new AutoUpdateStatus();
        if (p == null) {
            return s;
        }
        s.setCurrentVersion(p.getCurrentVersion());
        s.setAvailableVersion(p.getAvailableVersion());
        s.setLastCheck(p.getLastCheck());
        s.setLastUpdate(p.getLastUpdate());
        s.setRollbackCount(p.getRollbackCount());
        s.setFailedVersions(p.getFailedVersions() == null ? null : new ArrayList<>(p.getFailedVersions()));
        s.setCircuitOpen(p.getCircuitOpen());
        s.setVersionHistory(p.getVersionHistory() == null ? null : new ArrayList<>(p.getVersionHistory()));
        s.setPreviousVersion(p.getPreviousVersion());
        s.setLastGoodVersion(p.getLastGoodVersion());
        s.setNextCheck(p.getNextCheck());
        s.setPendingVersion(p.getPendingVersion());
        s.setPendingSince(p.getPendingSince());
        s.setRegistryFailures(p.getRegistryFailures());
        s.setSpecFingerprint(p.getSpecFingerprint());
        return s;
    }
}
