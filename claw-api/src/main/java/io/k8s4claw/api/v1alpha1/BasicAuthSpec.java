package io.k8s4claw.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import java.util.Objects;

/** HTTP basic auth in front of the Ingress. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class BasicAuthSpec {

    /** Whether basic auth is required: true or false. */
    @JsonPropertyDescription("Whether basic auth is required: true or false.")
    @Required
    private Boolean enabled;

    /** Secret with htpasswd data. */
    @JsonPropertyDescription("Secret with htpasswd data.")
    @Required
    private String secretName;

    public BasicAuthSpec() {}

    public Boolean getEnabled() {
        return enabled;
    }

    public void setEnabled(Boolean enabled) {
        this.enabled = enabled;
    }

    public String getSecretName() {
        return secretName;
    }

    public void setSecretName(String secretName) {
        this.secretName = secretName;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (o == null || getClass() != o.getClass()) {
            return false;
        }
        BasicAuthSpec that = (BasicAuthSpec) o;
        return Objects.equals(enabled, that.enabled) && Objects.equals(secretName, that.secretName);
    }

    @Override
    public int hashCode() {
        return Objects.hash(enabled, secretName);
    }

    @Override
    public String toString() {
        return "BasicAuthSpec{" + "enabled=" + enabled + ", " + "secretName=" + secretName + "}";
    }
}
