package io.k8s4claw.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import java.util.Objects;

/** External database of the runtime (IronClaw's PostgreSQL; added by this project). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class DatabaseSpec {

    /** Secret key holding the database URL. */
    @JsonPropertyDescription("Secret key holding the database URL.")
    @Required
    private KeySelector secretRef;

    public DatabaseSpec() {}

    public KeySelector getSecretRef() {
        return secretRef;
    }

    public void setSecretRef(KeySelector secretRef) {
        this.secretRef = secretRef;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (o == null || getClass() != o.getClass()) {
            return false;
        }
        DatabaseSpec that = (DatabaseSpec) o;
        return Objects.equals(secretRef, that.secretRef);
    }

    @Override
    public int hashCode() {
        return Objects.hash(secretRef);
    }

    @Override
    public String toString() {
        return "DatabaseSpec{" + "secretRef=" + secretRef + "}";
    }
}
