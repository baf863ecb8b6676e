package io.k8s4claw.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Min;
import java.util.Objects;

/** PodDisruptionBudget. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class PdbSpec {

    /** Create a PodDisruptionBudget (only when it cannot block node drains). */
    @JsonPropertyDescription("Create a PodDisruptionBudget (only when it cannot block node drains).")
    @Default("true")
    private Boolean enabled;

    /** Minimum available pods. */
    @JsonPropertyDescription("Minimum available pods.")
    @Default("1")
    @Min(0)
    private Integer minAvailable;

    public PdbSpec() {}

    public Boolean getEnabled() {
        return enabled;
    }

    public void setEnabled(Boolean enabled) {
        this.enabled = enabled;
    }

    public Integer getMinAvailable() {
        return minAvailable;
    }

    public void setMinAvailable(Integer minAvailable) {
        this.minAvailable = minAvailable;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (o == null || getClass() != o.getClass()) {
            return false;
        }
        PdbSpec that = (PdbSpec) o;
        return Objects.equals(enabled, that.enabled) && Objects.equals(minAvailable, that.minAvailable);
    }

    @Override
    public int hashCode() {
        return Objects.hash(enabled, minAvailable);
    }

    @Override
    public String toString() {
        return "PdbSpec{" + "enabled=" + enabled + ", " + "minAvailable=" + minAvailable + "}";
    }
}
