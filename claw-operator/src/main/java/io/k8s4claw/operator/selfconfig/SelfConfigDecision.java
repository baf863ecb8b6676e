package io.k8s4claw.operator.selfconfig;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.k8s4claw.api.v1alpha1.Claw;

/** What the operator does with one {@code ClawSelfConfig}: change the Claw, or nothing and say why. */
public sealed interface SelfConfigDecision {

    /**
     * @param patched    the Claw as it will be (validated)
     * @param specPatch  the JSON merge patch of {@code spec} that makes it so: only the fields the request touches
     * @param summary    what changes, names only (no values: they may be anything the agent chose)
     */
    record Apply(Claw patched, ObjectNode specPatch, String summary) implements SelfConfigDecision {}

    /** Nothing changes; {@code reason} tells the agent (and the owner) why. */
    record Deny(String reason) implements SelfConfigDecision {}
}
