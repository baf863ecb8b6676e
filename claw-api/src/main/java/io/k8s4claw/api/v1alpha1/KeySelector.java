package io.k8s4claw.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import java.util.Objects;

/** One key of a Secret or ConfigMap in the same namespace. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class KeySelector {

    /** Name of the Secret or ConfigMap. */
    @JsonPropertyDescription("Name of the Secret or ConfigMap.")
    @Required
    @Size(min = 1, max = 253)
    private String name;

    /** Key within that Secret or ConfigMap. */
    @JsonPropertyDescription("Key within that Secret or ConfigMap.")
    @Required
    @Size(min = 1, max = 253)
    private String key;

    public KeySelector() {}

    public String getName() {
        return name;
    }

    public void setName(String name) {
        this.name = name;
    }

    public String getKey() {
        return key;
    }

    public void setKey(String key) {
        this.key = key;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (o == null || getClass() != o.getClass()) {
            return false;
        }
        KeySelector that = (KeySelector) o;
        return Objects.equals(name, that.name) && Objects.equals(key, that.key);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, key);
    }

    @Override
    public String toString() {
        return "KeySelector{" + "name=" + name + ", " + "key=" + key + "}";
    }
}
