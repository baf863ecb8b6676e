package io.k8s4claw.operator.reconcile;

/**
 * How {@link ChildApplier} writes a child that differs from what the Claw asks for (whether it differs is decided the
 * same way for both: the applied-hash annotation and the fields only the operator writes).
 */
public enum WritePath {
    /** Create, or PUT the live object with the operator's fields laid over it (optimistic concurrency, 409 retried). */
    UPDATE,
    /**
     * Server-side apply with field manager {@value ChildApplier#FIELD_MANAGER}, conflicts forced: the apiserver merges
     * and records which fields the operator owns, so fields another manager owns (a GitOps tool's label) stay theirs.
     */
    SERVER_SIDE_APPLY
}
