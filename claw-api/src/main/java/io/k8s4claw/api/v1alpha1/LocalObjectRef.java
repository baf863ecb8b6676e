package io.k8s4claw.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import java.util.Objects;

/** A reference by name to an object (a Secret) in the same namespace. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class LocalObjectRef {

    /** Name of the object in the Claw's namespace. */
    @JsonPropertyDescription("Name of the object in the Claw's namespace.")
    @Required
    @Size(min = 1, max = 253)
    private String name;

    public LocalObjectRef() {}

    public String getName() {
        return name;
    }

    public void setName(String name) {
        this.name = name;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (o == null || getClass() != o.getClass()) {
            return false;
        }
        LocalObjectRef that = (LocalObjectRef) o;
        return Objects.equals(name, that.name);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name);
    }

    @Override
    public String toString() {
        return "LocalObjectRef{" + "name=" + name + "}";
    }
}
