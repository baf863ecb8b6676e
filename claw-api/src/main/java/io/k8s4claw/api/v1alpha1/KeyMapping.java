package io.k8s4claw.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import java.util.Objects;

/** Maps one environment variable to a key of a Secret. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class KeyMapping {

    /** Environment variable name. */
    @JsonPropertyDescription("Environment variable name.")
    @Required
    @Pattern(SchemaPatterns.ENV_NAME)
    private String name;

    /** Secret key providing the value. */
    @JsonPropertyDescription("Secret key providing the value.")
    @Required
    private KeySelector secretKeyRef;

    public KeyMapping() {}

    public String getName() {
        return name;
    }

    public void setName(String name) {
        this.name = name;
    }

    public KeySelector getSecretKeyRef() {
        return secretKeyRef;
    }

    public void setSecretKeyRef(KeySelector secretKeyRef) {
        this.secretKeyRef = secretKeyRef;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (o == null || getClass() != o.getClass()) {
            return false;
        }
        KeyMapping that = (KeyMapping) o;
        return Objects.equals(name, that.name) && Objects.equals(secretKeyRef, that.secretKeyRef);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, secretKeyRef);
    }

    @Override
    public String toString() {
        return "KeyMapping{" + "name=" + name + ", " + "secretKeyRef=" + secretKeyRef + "}";
    }
}
