package io.k8s4claw.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import java.util.Objects;

/** A port of a custom runtime container. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class CustomPort {

    /** Port name. */
    @JsonPropertyDescription("Port name.")
    @Size(max = 15)
    @Pattern(SchemaPatterns.DNS_LABEL)
    private String name;

    /** Port number. */
    @JsonPropertyDescription("Port number.")
    @Required
    @Min(1)
    @Max(65535)
    private Integer containerPort;

    /** TCP, UDP or SCTP. */
    @JsonPropertyDescription("TCP, UDP or SCTP.")
    @Default("TCP")
    @Pattern(SchemaPatterns.PORT_PROTOCOL)
    private String protocol;

    public CustomPort() {}

    public String getName() {
        return name;
    }

    public void setName(String name) {
        this.name = name;
    }

    public Integer getContainerPort() {
        return containerPort;
    }

    public void setContainerPort(Integer containerPort) {
        this.containerPort = containerPort;
    }

    public String getProtocol() {
        return protocol;
    }

    public void setProtocol(String protocol) {
        this.protocol = protocol;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (o == null || getClass() != o.getClass()) {
            return false;
        }
        CustomPort that = (CustomPort) o;
        return Objects.equals(name, that.name)
                && Objects.equals(containerPort, that.containerPort)
                && Objects.equals(protocol, that.protocol);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, containerPort, protocol);
    }

    @Override
    public String toString() {
        return "CustomPort{" + "name=" + name + ", " + "containerPort=" + containerPort + ", " + "protocol=" + protocol
                + "}";
    }
}
