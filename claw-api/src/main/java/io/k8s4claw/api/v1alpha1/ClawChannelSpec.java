package io.k8s4claw.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.crd.generator.annotation.PreserveUnknownFields;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import java.util.Objects;

/** Desired state of a ClawChannel. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "self.type != 'custom' || has(self.sidecar)", message = ClawRules.CUSTOM_CHANNEL_SIDECAR)
@ValidationRule(
        value = "!(self.type in ['whatsapp', 'matrix']) || (has(self.sidecar) && has(self.sidecar.image))",
        message = NotSupportedYet.CHANNEL_TYPE_WITHOUT_BUILT_IN)
public class ClawChannelSpec {

    /** Platform. */
    @JsonPropertyDescription("Platform.")
    @Required
    private ChannelType type;

    /** Direction. */
    @JsonPropertyDescription("Direction.")
    @Default("bidirectional")
    private ChannelMode mode;

    /** Platform tokens. */
    @JsonPropertyDescription("Platform tokens.")
    private CredentialSpec credentials;

    /** Channel configuration (free JSON). */
    @JsonPropertyDescription("Channel configuration (free JSON).")
    @PreserveUnknownFields
    private JsonNode config;

    /** Flow control. */
    @JsonPropertyDescription("Flow control.")
    private BackpressureSpec backpressure;

    /** Resources of the built-in sidecar. */
    @JsonPropertyDescription("Resources of the built-in sidecar.")
    private ResourceRequirements resources;

    /** Custom sidecar (type custom). */
    @JsonPropertyDescription("Custom sidecar (type custom).")
    private SidecarSpec sidecar;

    public ClawChannelSpec() {}

    public ChannelType getType() {
        return type;
    }

    public void setType(ChannelType type) {
        this.type = type;
    }

    public ChannelMode getMode() {
        return mode;
    }

    public void setMode(ChannelMode mode) {
        this.mode = mode;
    }

    public CredentialSpec getCredentials() {
        return credentials;
    }

    public void setCredentials(CredentialSpec credentials) {
        this.credentials = credentials;
    }

    public JsonNode getConfig() {
        return config;
    }

    public void setConfig(JsonNode config) {
        this.config = config;
    }

    public BackpressureSpec getBackpressure() {
        return backpressure;
    }

    public void setBackpressure(BackpressureSpec backpressure) {
        this.backpressure = backpressure;
    }

    public ResourceRequirements getResources() {
        return resources;
    }

    public void setResources(ResourceRequirements resources) {
        this.resources = resources;
    }

    public SidecarSpec getSidecar() {
        return sidecar;
    }

    public void setSidecar(SidecarSpec sidecar) {
        this.sidecar = sidecar;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (o == null || getClass() != o.getClass()) {
            return false;
        }
        ClawChannelSpec that = (ClawChannelSpec) o;
        return Objects.equals(type, that.type)
                && Objects.equals(mode, that.mode)
                && Objects.equals(credentials, that.credentials)
                && Objects.equals(config, that.config)
                && Objects.equals(backpressure, that.backpressure)
                && Objects.equals(resources, that.resources)
                && Objects.equals(sidecar, that.sidecar);
    }

    @Override
    public int hashCode() {
        return Objects.hash(type, mode, credentials, config, backpressure, resources, sidecar);
    }

    @Override
    public String toString() {
        return "ClawChannelSpec{" + "type=" + type + ", " + "mode=" + mode + ", " + "credentials=" + credentials + ", "
                + "config=" + config + ", " + "backpressure=" + backpressure + ", " + "resources=" + resources + ", "
                + "sidecar=" + sidecar + "}";
    }
}
