package io.k8s4claw.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.List;
import java.util.Objects;

/**
 * Outcome of a {@link ClawSelfConfig}: k8s4claw's {@code phase}, {@code message} and {@code appliedAt}, plus (added by
 * this project) {@code observedGeneration} and the {@code Overridden} condition, set when the Claw's owner later
 * changed what the request had changed.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ClawSelfConfigStatus {

    /** Pending, Applied, Denied or Failed. */
    @JsonPropertyDescription("Pending, Applied, Denied or Failed.")
    private SelfConfigPhase phase;

    /** Why it was denied or failed, or what was applied. */
    @JsonPropertyDescription("Why it was denied or failed, or what was applied.")
    private String message;

    /** When the change was made to the Claw (RFC 3339). */
    @JsonPropertyDescription("When the change was made to the Claw (RFC 3339).")
    private String appliedAt;

    /** Generation last decided. */
    @JsonPropertyDescription("Generation last decided.")
    private Long observedGeneration;

    /** Conditions (Overridden: the Claw's owner changed it since). */
    @JsonPropertyDescription("Conditions (Overridden: the Claw's owner changed it since).")
    private List<Condition> conditions;

    public ClawSelfConfigStatus() {}

    public SelfConfigPhase getPhase() {
        return phase;
    }

    public void setPhase(SelfConfigPhase phase) {
        this.phase = phase;
    }

    public String getMessage() {
        return message;
    }

    public void setMessage(String message) {
        this.message = message;
    }

    public String getAppliedAt() {
        return appliedAt;
    }

    public void setAppliedAt(String appliedAt) {
        this.appliedAt = appliedAt;
    }

    public Long getObservedGeneration() {
        return observedGeneration;
    }

    public void setObservedGeneration(Long observedGeneration) {
        this.observedGeneration = observedGeneration;
    }

    public List<Condition> getConditions() {
        return conditions;
    }

    public void setConditions(List<Condition> conditions) {
        this.conditions = conditions;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (o == null || getClass() != o.getClass()) {
            return false;
        }
        ClawSelfConfigStatus that = (ClawSelfConfigStatus) o;
        return phase == that.phase
                && Objects.equals(message, that.message)
                && Objects.equals(appliedAt, that.appliedAt)
                && Objects.equals(observedGeneration, that.observedGeneration)
                && Objects.equals(conditions, that.conditions);
    }

    @Override
    public int hashCode() {
        return Objects.hash(phase, message, appliedAt, observedGeneration, conditions);
    }

    @Override
    public String toString() {
        return "ClawSelfConfigStatus{phase=" + phase + ", message=" + message + ", appliedAt=" + appliedAt
                + ", observedGeneration=" + observedGeneration + ", conditions=" + conditions + "}";
    }
}
