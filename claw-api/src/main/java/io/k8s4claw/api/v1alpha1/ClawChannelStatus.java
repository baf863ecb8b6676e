package io.k8s4claw.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.List;
import java.util.Objects;

/** Observed state of a ClawChannel. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ClawChannelStatus {

    /** Conditions. */
    @JsonPropertyDescription("Conditions.")
    private List<Condition> conditions;

    /** Generation last reconciled. */
    @JsonPropertyDescription("Generation last reconciled.")
    private Long observedGeneration;

    /** Number of Claws using this channel. */
    @JsonPropertyDescription("Number of Claws using this channel.")
    private Integer referenceCount;

    /** Names of the Claws using this channel. */
    @JsonPropertyDescription("Names of the Claws using this channel.")
    private List<String> referencingClaws;

    public ClawChannelStatus() {}

    public List<Condition> getConditions() {
        return conditions;
    }

    public void setConditions(List<Condition> conditions) {
        this.conditions = conditions;
    }

    public Long getObservedGeneration() {
        return observedGeneration;
    }

    public void setObservedGeneration(Long observedGeneration) {
        this.observedGeneration = observedGeneration;
    }

    public Integer getReferenceCount() {
        return referenceCount;
    }

    public void setReferenceCount(Integer referenceCount) {
        this.referenceCount = referenceCount;
    }

    public List<String> getReferencingClaws() {
        return referencingClaws;
    }

    public void setReferencingClaws(List<String> referencingClaws) {
        this.referencingClaws = referencingClaws;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (o == null || getClass() != o.getClass()) {
            return false;
        }
        ClawChannelStatus that = (ClawChannelStatus) o;
        return Objects.equals(conditions, that.conditions)
                && Objects.equals(observedGeneration, that.observedGeneration)
                && Objects.equals(referenceCount, that.referenceCount)
                && Objects.equals(referencingClaws, that.referencingClaws);
    }

    @Override
    public int hashCode() {
        return Objects.hash(conditions, observedGeneration, referenceCount, referencingClaws);
    }

    @Override
    public String toString() {
        return "ClawChannelStatus{" + "conditions=" + conditions + ", " + "observedGeneration=" + observedGeneration
                + ", " + "referenceCount=" + referenceCount + ", " + "referencingClaws=" + referencingClaws + "}";
    }
}
