package io.k8s4claw.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import java.util.Objects;

/** TLS of the Ingress. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class IngressTLS {

    /** TLS Secret name. */
    @JsonPropertyDescription("TLS Secret name.")
    @Required
    private String secretName;

    public IngressTLS() {}

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
        IngressTLS that = (IngressTLS) o;
        return Objects.equals(secretName, that.secretName);
    }

    @Override
    public int hashCode() {
        return Objects.hash(secretName);
    }

    @Override
    public String toString() {
        return "IngressTLS{" + "secretName=" + secretName + "}";
    }
}
