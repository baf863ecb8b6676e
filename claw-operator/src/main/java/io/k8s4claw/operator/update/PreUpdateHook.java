package io.k8s4claw.operator.update;

import io.k8s4claw.api.v1alpha1.Claw;
import java.time.Duration;

/**
 * Runs before the operator rolls a Claw to a new version: the seam where a backup of the Claw's volumes is taken
 * first (see the backups issue, #17). It is asked on every reconcile until it says {@link Decision.Proceed}, so an
 * implementation starts its work on the first call and reports progress on the next ones; it must be idempotent.
 * The default proceeds at once: without a backup configured there is nothing to wait for.
 */
@FunctionalInterface
public interface PreUpdateHook {

    PreUpdateHook NONE = (claw, from, to) -> new Decision.Proceed();

    Decision beforeUpdate(Claw claw, String fromVersion, String toVersion);

    /** What the hook says about rolling now. */
    sealed interface Decision {
        /** Roll now. */
        record Proceed() implements Decision {}

        /** Not yet (a backup is running): ask again after {@code after}; {@code reason} goes into the condition. */
        record Wait(String reason, Duration after) implements Decision {}

        /** Do not roll to this version now (the backup failed): {@code reason} goes into the condition and an Event. */
        record Refuse(String reason) implements Decision {}
    }
}
