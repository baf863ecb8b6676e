package io.k8s4claw.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import java.util.List;
import java.util.Objects;

/** A custom channel adapter container (type custom). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SidecarSpec {

    /** Container image. */
    @JsonPropertyDescription("Container image.")
    @Required
    private String image;

    /** Resources. */
    @JsonPropertyDescription("Resources.")
    private ResourceRequirements resources;

    /** Ports. */
    @JsonPropertyDescription("Ports.")
    private List<ContainerPort> ports;

    /** Extra environment variables. */
    @JsonPropertyDescription("Extra environment variables.")
    private List<EnvVar> env;

    /** Liveness probe. */
    @JsonPropertyDescription("Liveness probe.")
    private Probe livenessProbe;

    /** Readiness probe. */
    @JsonPropertyDescription("Readiness probe.")
    private Probe readinessProbe;

    public SidecarSpec() {}

    public String getImage() {
        return image;
    }

    public void setImage(String image) {
        this.image = image;
    }

    public ResourceRequirements getResources() {
        return resources;
    }

    public void setResources(ResourceRequirements resources) {
        this.resources = resources;
    }

    public List<ContainerPort> getPorts() {
        return ports;
    }

    public void setPorts(List<ContainerPort> ports) {
        this.ports = ports;
    }

    public List<EnvVar> getEnv() {
        return env;
    }

    public void setEnv(List<EnvVar> env) {
        this.env = env;
    }

    public Probe getLivenessProbe() {
        return livenessProbe;
    }

    public void setLivenessProbe(Probe livenessProbe) {
        this.livenessProbe = livenessProbe;
    }

    public Probe getReadinessProbe() {
        return readinessProbe;
    }

    public void setReadinessProbe(Probe readinessProbe) {
        this.readinessProbe = readinessProbe;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (o == null || getClass() != o.getClass()) {
            return false;
        }
        SidecarSpec that = (SidecarSpec) o;
        return Objects.equals(image, that.image)
                && Objects.equals(resources, that.resources)
                && Objects.equals(ports, that.ports)
                && Objects.equals(env, that.env)
                && Objects.equals(livenessProbe, that.livenessProbe)
                && Objects.equals(readinessProbe, that.readinessProbe);
    }

    @Override
    public int hashCode() {
        return Objects.hash(image, resources, ports, env, livenessProbe, readinessProbe);
    }

    @Override
    public String toString() {
        return "SidecarSpec{" + "image=" + image + ", " + "resources=" + resources + ", " + "ports=" + ports + ", "
                + "env=" + env + ", " + "livenessProbe=" + livenessProbe + ", " + "readinessProbe=" + readinessProbe
                + "}";
    }
}
