package io.k8s4claw.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import java.util.Objects;

/** A ClawChannel in the Claw's namespace that this Claw uses. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ChannelRef {

    /** Name of the ClawChannel. */
    @JsonPropertyDescription("Name of the ClawChannel.")
    @Required
    @Size(max = 63)
    @Pattern(SchemaPatterns.DNS_LABEL)
    private String name;

    /** Direction of traffic for this Claw. */
    @JsonPropertyDescription("Direction of traffic for this Claw.")
    @Default("bidirectional")
    private ChannelMode mode;

    public ChannelRef() {}

    public String getName() {
        return name;
    }

    public void setName(String name) {
        this.name = name;
    }

    public ChannelMode getMode() {
        return mode;
    }

    public void setMode(ChannelMode mode) {
        this.mode = mode;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (o == null || getClass() != o.getClass()) {
            return false;
        }
        ChannelRef that = (ChannelRef) o;
        return Objects.equals(name, that.name) && Objects.equals(mode, that.mode);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, mode);
    }

    @Override
    public String toString() {
        return "ChannelRef{" + "name=" + name + ", " + "mode=" + mode + "}";
    }
}
