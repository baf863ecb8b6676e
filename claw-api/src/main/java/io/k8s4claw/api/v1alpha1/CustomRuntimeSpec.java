package io.k8s4claw.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.kubernetes.api.model.Probe;
import java.util.List;
import java.util.Objects;

/** The container of runtime custom (added by this project). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class CustomRuntimeSpec {

    /** Image (required for runtime custom). */
    @JsonPropertyDescription("Image (required for runtime custom).")
    @Size(max = 512)
    private String image;

    /** Entrypoint override. */
    @JsonPropertyDescription("Entrypoint override.")
    private List<String> command;

    /** Arguments. */
    @JsonPropertyDescription("Arguments.")
    private List<String> args;

    /** Ports the runtime listens on. */
    @JsonPropertyDescription("Ports the runtime listens on.")
    @Size(max = 32)
    private List<CustomPort> ports;

    /** Liveness probe. */
    @JsonPropertyDescription("Liveness probe.")
    private Probe livenessProbe;

    /** Readiness probe. */
    @JsonPropertyDescription("Readiness probe.")
    private Probe readinessProbe;

    /** Startup probe. */
    @JsonPropertyDescription("Startup probe.")
    private Probe startupProbe;

    /** Absolute path the rendered spec.config is mounted at (JSON). */
    @JsonPropertyDescription("Absolute path the rendered spec.config is mounted at (JSON).")
    @Pattern(SchemaPatterns.ABS_PATH)
    private String configPath;

    public CustomRuntimeSpec() {}

    public String getImage() {
        return image;
    }

    public void setImage(String image) {
        this.image = image;
    }

    public List<String> getCommand() {
        return command;
    }

    public void setCommand(List<String> command) {
        this.command = command;
    }

    public List<String> getArgs() {
        return args;
    }

    public void setArgs(List<String> args) {
        this.args = args;
    }

    public List<CustomPort> getPorts() {
        return ports;
    }

    public void setPorts(List<CustomPort> ports) {
        this.ports = ports;
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

    public Probe getStartupProbe() {
        return startupProbe;
    }

    public void setStartupProbe(Probe startupProbe) {
        this.startupProbe = startupProbe;
    }

    public String getConfigPath() {
        return configPath;
    }

    public void setConfigPath(String configPath) {
        this.configPath = configPath;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (o == null || getClass() != o.getClass()) {
            return false;
        }
        CustomRuntimeSpec that = (CustomRuntimeSpec) o;
        return Objects.equals(image, that.image)
                && Objects.equals(command, that.command)
                && Objects.equals(args, that.args)
                && Objects.equals(ports, that.ports)
                && Objects.equals(livenessProbe, that.livenessProbe)
                && Objects.equals(readinessProbe, that.readinessProbe)
                && Objects.equals(startupProbe, that.startupProbe)
                && Objects.equals(configPath, that.configPath);
    }

    @Override
    public int hashCode() {
        return Objects.hash(image, command, args, ports, livenessProbe, readinessProbe, startupProbe, configPath);
    }

    @Override
    public String toString() {
        return "CustomRuntimeSpec{" + "image=" + image + ", " + "command=" + command + ", " + "args=" + args + ", "
                + "ports=" + ports + ", " + "livenessProbe=" + livenessProbe + ", " + "readinessProbe=" + readinessProbe
                + ", " + "startupProbe=" + startupProbe + ", " + "configPath=" + configPath + "}";
    }
}
