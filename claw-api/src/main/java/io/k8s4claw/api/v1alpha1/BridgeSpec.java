package io.k8s4claw.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import java.util.Objects;

/** The IPC bridge sidecar (added by this project). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class BridgeSpec {

    /** How the bridge talks to the runtime. */
    @JsonPropertyDescription("How the bridge talks to the runtime.")
    @Default("auto")
    private BridgeProtocolSetting protocol;

    /** Bridge image override; the operator's own version by default. */
    @JsonPropertyDescription("Bridge image override; the operator's own version by default.")
    private String image;

    /** Bridge container resources. */
    @JsonPropertyDescription("Bridge container resources.")
    private ResourceRequirements resources;

    public BridgeSpec() {}

    public BridgeProtocolSetting getProtocol() {
        return protocol;
    }

    public void setProtocol(BridgeProtocolSetting protocol) {
        this.protocol = protocol;
    }

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

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (o == null || getClass() != o.getClass()) {
            return false;
        }
        BridgeSpec that = (BridgeSpec) o;
        return Objects.equals(protocol, that.protocol)
                && Objects.equals(image, that.image)
                && Objects.equals(resources, that.resources);
    }

    @Override
    public int hashCode() {
        return Objects.hash(protocol, image, resources);
    }

    @Override
    public String toString() {
        return "BridgeSpec{" + "protocol=" + protocol + ", " + "image=" + image + ", " + "resources=" + resources + "}";
    }
}
