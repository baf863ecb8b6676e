package io.k8s4claw.operator.update;

import static org.assertj.core.api.Assertions.assertThat;

import io.k8s4claw.api.v1alpha1.AutoUpdateStatus;
import io.k8s4claw.api.v1alpha1.VersionHistoryStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Every transition of the update state machine, driven step by step with a clock the test moves. */
class AutoUpdateMachineTest {

    static final Instant T0 = Instant.parse("2026-12-01T02:59:00Z");
    static final AutoUpdateMachine.Health HEALTHY = new AutoUpdateMachine.Health(true, "the pod is ready");
    static final AutoUpdateMachine.Health SICK = new AutoUpdateMachine.Health(false, "container runtime is not ready");
    static final List<String> TAGS = List.of("latest", "v0.8.1", "v0.8.2", "v0.9.0-rc.1", "main");

    final AtomicInteger registryCalls = new AtomicInteger();

    static AutoUpdatePolicy policy(String constraint, int maxRollbacks, String fingerprint) {
        return AutoUpdatePolicy.of(
                ImageReference.parse("ghcr.io/zeroclaw-labs/zeroclaw"),
                "v0.8.1",
                Pattern.compile("v\\d+\\.\\d+\\.\\d+"),
                constraint,
                "0 3 * * *",
                Duration.ofMinutes(10),
                maxRollbacks,
                fingerprint);
    }

    Supplier<TagListing> registry(TagListing answer) {
        return () -> {
            registryCalls.incrementAndGet();
            return answer;
        };
    }

    AutoUpdateMachine.Step step(
            AutoUpdateStatus previous,
            AutoUpdatePolicy policy,
            Instant now,
            AutoUpdateMachine.Health health,
            TagListing answer) {
        return AutoUpdateMachine.advance(
                previous, policy, now, health, registry(answer), (from, to) -> new PreUpdateHook.Decision.Proceed());
    }

    @Test
    void firstSightChecksAtOnceAndRollsToTheNewestMatchingTagThenRecordsItHealthy() {
        AutoUpdatePolicy p = policy("^0.8.0", 3, "aaaa-bbbb");
        AutoUpdateMachine.Step first = step(null, p, T0, HEALTHY, new TagListing.Tags(TAGS));
        assertThat(registryCalls).hasValue(1);
        assertThat(first.runVersion()).isEqualTo("v0.8.2");
        assertThat(first.status().getPendingVersion()).isEqualTo("v0.8.2");
        assertThat(first.status().getPreviousVersion()).isEqualTo("v0.8.1");
        assertThat(first.status().getLastGoodVersion()).isEqualTo("v0.8.1");
        assertThat(first.status().getAvailableVersion()).isEqualTo("v0.8.2");
        assertThat(first.status().getNextCheck()).isEqualTo("2026-12-01T03:00:00Z");
        assertThat(first.events()).extracting(AutoUpdateMachine.Note::reason).containsExactly("UpdateStarted");

        AutoUpdateMachine.Step waiting = step(first.status(), p, T0.plusSeconds(30), SICK, null);
        assertThat(waiting.runVersion()).isEqualTo("v0.8.2");
        assertThat(waiting.condition().orElseThrow().reason()).isEqualTo("Updating");
        assertThat(waiting.wakeAfter()).isLessThanOrEqualTo(Duration.ofSeconds(15));

        AutoUpdateMachine.Step healthy = step(waiting.status(), p, T0.plusSeconds(60), HEALTHY, null);
        assertThat(registryCalls).hasValue(1);
        assertThat(healthy.status().getCurrentVersion()).isEqualTo("v0.8.2");
        assertThat(healthy.status().getLastGoodVersion()).isEqualTo("v0.8.2");
        assertThat(healthy.status().getPendingVersion()).isNull();
        assertThat(healthy.status().getVersionHistory()).singleElement().satisfies(e -> {
            assertThat(e.getVersion()).isEqualTo("v0.8.2");
            assertThat(e.getStatus()).isEqualTo(VersionHistoryStatus.HEALTHY);
            assertThat(e.getPreviousVersion()).isEqualTo("v0.8.1");
            assertThat(e.getReason()).isEqualTo("healthy after 60s");
        });
        assertThat(healthy.events()).extracting(AutoUpdateMachine.Note::reason).containsExactly("UpdateSucceeded");
        assertThat(healthy.condition().orElseThrow().reason()).isEqualTo("UpToDate");

        // not due before 03:00: no registry call
        AutoUpdateMachine.Step idle = step(healthy.status(), p, T0.plusSeconds(59), HEALTHY, null);
        assertThat(registryCalls).hasValue(1);
        assertThat(idle.wakeAfter()).isPositive();
    }

    @Test
    void anUnhealthyVersionIsRolledBackToTheLastGoodOneAndItsCircuitOpensAfterMaxRollbacks() {
        AutoUpdatePolicy p = policy(null, 2, "aaaa-bbbb");
        TagListing tags = new TagListing.Tags(TAGS);
        AutoUpdateMachine.Step s = step(null, p, T0, HEALTHY, tags);
        assertThat(s.runVersion()).isEqualTo("v0.8.2");
        // still sick just before the 10 minute deadline: keep waiting
        s = step(s.status(), p, T0.plus(Duration.ofMinutes(10)).minusSeconds(1), SICK, tags);
        assertThat(s.runVersion()).isEqualTo("v0.8.2");
        s = step(s.status(), p, T0.plus(Duration.ofMinutes(10)), SICK, tags);
        assertThat(s.runVersion()).isEqualTo("v0.8.1");
        assertThat(s.status().getRollbackCount()).isEqualTo(1);
        assertThat(s.status().getFailedVersions()).isNull();
        assertThat(s.status().getVersionHistory()).last().satisfies(e -> {
            assertThat(e.getStatus()).isEqualTo(VersionHistoryStatus.ROLLED_BACK);
            assertThat(e.getReason()).isEqualTo("not healthy within 10m: container runtime is not ready");
        });
        assertThat(s.events()).extracting(AutoUpdateMachine.Note::reason).containsExactly("RolledBack");
        assertThat(s.status().getNextCheck()).isEqualTo("2026-12-02T03:00:00Z");

        // the next scheduled check tries it again; a second failure opens its circuit
        Instant day2 = Instant.parse("2026-12-02T03:00:00Z");
        s = step(s.status(), p, day2, HEALTHY, tags);
        assertThat(s.runVersion()).isEqualTo("v0.8.2");
        s = step(s.status(), p, day2.plus(Duration.ofMinutes(11)), SICK, tags);
        assertThat(s.runVersion()).isEqualTo("v0.8.1");
        assertThat(s.status().getFailedVersions()).containsExactly("v0.8.2");
        assertThat(s.status().getCircuitOpen()).isTrue();
        assertThat(s.events()).extracting(AutoUpdateMachine.Note::reason).containsExactly("RolledBack", "CircuitOpen");

        // day 3: the registry still offers only v0.8.2: nothing is rolled, the condition says the circuit is open
        Instant day3 = Instant.parse("2026-12-03T03:00:00Z");
        s = step(s.status(), p, day3, HEALTHY, tags);
        assertThat(s.runVersion()).isEqualTo("v0.8.1");
        assertThat(s.status().getPendingVersion()).isNull();
        assertThat(s.condition().orElseThrow().reason()).isEqualTo("CircuitOpen");
        assertThat(s.condition().orElseThrow().ok()).isFalse();

        // a newer version is still tried: the circuit is per version
        s = step(
                s.status(),
                p,
                Instant.parse("2026-12-04T03:00:00Z"),
                HEALTHY,
                new TagListing.Tags(List.of("v0.8.1", "v0.8.2", "v0.8.3")));
        assertThat(s.runVersion()).isEqualTo("v0.8.3");
        assertThat(s.status().getRollbackCount()).isZero();

        // a spec change closes every circuit and checks at once
        AutoUpdateStatus afterSpecChange = step(s.status(), p, Instant.parse("2026-12-04T03:01:00Z"), HEALTHY, tags)
                .status();
        AutoUpdateMachine.Step reset = step(
                afterSpecChange, policy("~0.8", 2, "aaaa-cccc"), Instant.parse("2026-12-04T03:02:00Z"), HEALTHY, tags);
        assertThat(reset.status().getFailedVersions()).isNull();
        assertThat(reset.status().getCircuitOpen()).isFalse();
        assertThat(reset.status().getCurrentVersion()).isEqualTo("v0.8.3");
        assertThat(reset.events()).extracting(AutoUpdateMachine.Note::reason).contains("CircuitsClosed");
    }

    @Test
    void aRegistryFailureLeavesTheRunningVersionAndRetriesWithAGrowingBackoff() {
        AutoUpdatePolicy p = policy(null, 3, "aaaa-bbbb");
        TagListing.Failed limited = new TagListing.Failed(
                TagListing.Problem.REGISTRY_RATE_LIMITED, "registry ghcr.io/x is rate limiting the operator (429)");
        AutoUpdateMachine.Step s = step(null, p, T0, HEALTHY, limited);
        assertThat(s.runVersion()).isEqualTo("v0.8.1");
        assertThat(s.condition().orElseThrow()).satisfies(c -> {
            assertThat(c.ok()).isFalse();
            assertThat(c.reason()).isEqualTo("RegistryRateLimited");
            assertThat(c.message()).contains("429").contains("attempt 1").contains("v0.8.1 keeps running");
        });
        assertThat(s.events()).extracting(AutoUpdateMachine.Note::reason).containsExactly("RegistryCheckFailed");
        Duration first = Duration.between(T0, Instant.parse(s.status().getNextCheck()));
        assertThat(first).isBetween(Duration.ofSeconds(15), Duration.ofSeconds(30));
        Instant t = T0;
        for (int i = 0; i < 4; i++) {
            t = Instant.parse(s.status().getNextCheck());
            s = step(s.status(), p, t, HEALTHY, limited);
        }
        assertThat(s.status().getRegistryFailures()).isEqualTo(5);
        assertThat(Duration.between(t, Instant.parse(s.status().getNextCheck())))
                .isBetween(Duration.ofMinutes(4), Duration.ofMinutes(8));
        assertThat(s.runVersion()).isEqualTo("v0.8.1");
        // recovery: the failures reset, the schedule takes over again
        s = step(
                s.status(),
                p,
                Instant.parse(s.status().getNextCheck()),
                HEALTHY,
                new TagListing.Tags(List.of("v0.8.1")));
        assertThat(s.status().getRegistryFailures()).isZero();
        assertThat(s.condition().orElseThrow().reason()).isEqualTo("UpToDate");
    }

    @Test
    void noUpdateStartsFromAVersionThatWasNeverHealthy() {
        AutoUpdatePolicy p = policy(null, 3, "aaaa-bbbb");
        AutoUpdateMachine.Step s = step(null, p, T0, SICK, new TagListing.Tags(TAGS));
        assertThat(registryCalls).hasValue(0);
        assertThat(s.runVersion()).isEqualTo("v0.8.1");
        assertThat(s.condition().orElseThrow().reason()).isEqualTo("WaitingForHealthyVersion");
    }

    @Test
    void thePreUpdateHookCanHoldOrRefuseARoll() {
        AutoUpdatePolicy p = policy(null, 3, "aaaa-bbbb");
        AutoUpdateMachine.Step held = AutoUpdateMachine.advance(
                null,
                p,
                T0,
                HEALTHY,
                registry(new TagListing.Tags(TAGS)),
                (from, to) -> new PreUpdateHook.Decision.Wait("backup of v0.8.1 running", Duration.ofSeconds(20)));
        assertThat(held.runVersion()).isEqualTo("v0.8.1");
        assertThat(held.condition().orElseThrow().reason()).isEqualTo("WaitingForPreUpdateHook");
        assertThat(held.status().getNextCheck()).isEqualTo(T0.plusSeconds(20).toString());
        AutoUpdateMachine.Step refused = AutoUpdateMachine.advance(
                null,
                p,
                T0,
                HEALTHY,
                registry(new TagListing.Tags(TAGS)),
                (from, to) -> new PreUpdateHook.Decision.Refuse("backup failed"));
        assertThat(refused.runVersion()).isEqualTo("v0.8.1");
        assertThat(refused.events()).extracting(AutoUpdateMachine.Note::reason).containsExactly("UpdateBlocked");
    }

    @Test
    void aChangedImageStartsOverFromTheSpecsTag() {
        AutoUpdatePolicy p = policy(null, 3, "aaaa-bbbb");
        AutoUpdateMachine.Step s = step(null, p, T0, HEALTHY, new TagListing.Tags(TAGS));
        s = step(s.status(), p, T0.plusSeconds(30), HEALTHY, null);
        assertThat(s.status().getCurrentVersion()).isEqualTo("v0.8.2");
        AutoUpdatePolicy other = AutoUpdatePolicy.of(
                ImageReference.parse("ghcr.io/zeroclaw-labs/zeroclaw"),
                "v0.8.0",
                Pattern.compile("v\\d+\\.\\d+\\.\\d+"),
                null,
                "0 3 * * *",
                Duration.ofMinutes(10),
                3,
                "dddd-bbbb");
        AutoUpdateMachine.Step restarted = step(s.status(), other, T0.plusSeconds(60), SICK, null);
        assertThat(restarted.runVersion()).isEqualTo("v0.8.0");
        assertThat(restarted.status().getLastGoodVersion()).isNull();
    }
}
