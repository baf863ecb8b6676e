package io.k8s4claw.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import java.util.Objects;

/** An environment variable a {@link ClawSelfConfig} asks to set on the runtime container (plain value only). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SelfConfigEnvVar {

    /** Variable name. */
    @JsonPropertyDescription("Variable name.")
    @Required
    @Size(max = 253)
    @Pattern(SchemaPatterns.ENV_NAME)
    private String name;

    /** Value. */
    @JsonPropertyDescription("Value.")
    @Size(max = 4096)
    private String value;

    public SelfConfigEnvVar() {}

    public SelfConfigEnvVar(String name, String value) {
        this.name = name;
        this.value = value;
    }

    public String getName() {
        return name;
    }

    public void setName(String name) {
        this.name = name;
    }

    public String getValue() {
        return value;
    }

    public void setValue(String value) {
        this.value = value;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SelfConfigEnvVar that
                && Objects.equals(name, that.name)
                && Objects.equals(value, that.value);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, value);
    }

    @Override
    public String toString() {
        // the value may be anything the agent chose; keep it out of logs
        return "SelfConfigEnvVar{name=" + name + "}";
    }
}
