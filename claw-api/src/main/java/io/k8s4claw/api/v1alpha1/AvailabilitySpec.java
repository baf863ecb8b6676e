package io.k8s4claw.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Objects;

/** Availability settings. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class AvailabilitySpec {

    /** PodDisruptionBudget. */
    @JsonPropertyDescription("PodDisruptionBudget.")
    private PdbSpec pdb;

    public AvailabilitySpec() {}

    public PdbSpec getPdb() {
        return pdb;
    }

    public void setPdb(PdbSpec pdb) {
        this.pdb = pdb;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (o == null || getClass() != o.getClass()) {
            return false;
        }
        AvailabilitySpec that = (AvailabilitySpec) o;
        return Objects.equals(pdb, that.pdb);
    }

    @Override
    public int hashCode() {
        return Objects.hash(pdb);
    }

    @Override
    public String toString() {
        return "AvailabilitySpec{" + "pdb=" + pdb + "}";
    }
}
