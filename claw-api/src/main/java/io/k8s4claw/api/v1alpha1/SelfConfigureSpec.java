package io.k8s4claw.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.List;
import java.util.Objects;

/** Agent self-configuration. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SelfConfigureSpec {

    /** Allow the agent to change itself. */
    @JsonPropertyDescription("Allow the agent to change itself.")
    private Boolean enabled;

    /** Permitted action categories. */
    @JsonPropertyDescription("Permitted action categories.")
    private List<SelfConfigureAction> allowedActions;

    public SelfConfigureSpec() {}

    public Boolean getEnabled() {
        return enabled;
    }

    public void setEnabled(Boolean enabled) {
        this.enabled = enabled;
    }

    public List<SelfConfigureAction> getAllowedActions() {
        return allowedActions;
    }

    public void setAllowedActions(List<SelfConfigureAction> allowedActions) {
        this.allowedActions = allowedActions;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (o == null || getClass() != o.getClass()) {
            return false;
        }
        SelfConfigureSpec that = (SelfConfigureSpec) o;
        return Objects.equals(enabled, that.enabled) && Objects.equals(allowedActions, that.allowedActions);
    }

    @Override
    public int hashCode() {
        return Objects.hash(enabled, allowedActions);
    }

    @Override
    public String toString() {
        return "SelfConfigureSpec{" + "enabled=" + enabled + ", " + "allowedActions=" + allowedActions + "}";
    }
}
