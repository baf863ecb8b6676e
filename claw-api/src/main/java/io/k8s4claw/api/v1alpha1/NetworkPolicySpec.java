package io.k8s4claw.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import java.util.List;
import java.util.Objects;

/** The NetworkPolicy the operator creates for the Claw. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class NetworkPolicySpec {

    /** Create the NetworkPolicy. */
    @JsonPropertyDescription("Create the NetworkPolicy.")
    @Default("true")
    private Boolean enabled;

    /** Extra egress CIDR blocks (e.g. 10.0.0.0/8). */
    @JsonPropertyDescription("Extra egress CIDR blocks (e.g. 10.0.0.0/8).")
    @Size(max = 64)
    private List<@Size(max = 64) @Pattern(SchemaPatterns.CIDR) String> allowedEgressCIDRs;

    /** Namespaces allowed to reach the Claw. */
    @JsonPropertyDescription("Namespaces allowed to reach the Claw.")
    @Size(max = 64)
    private List<@Size(max = 63) @Pattern(SchemaPatterns.DNS_LABEL) String> allowedIngressNamespaces;

    public NetworkPolicySpec() {}

    public Boolean getEnabled() {
        return enabled;
    }

    public void setEnabled(Boolean enabled) {
        this.enabled = enabled;
    }

    public List<@Size(max = 64) @Pattern(SchemaPatterns.CIDR) String> getAllowedEgressCIDRs() {
        return allowedEgressCIDRs;
    }

    public void setAllowedEgressCIDRs(List<@Size(max = 64) @Pattern(SchemaPatterns.CIDR) String> allowedEgressCIDRs) {
        this.allowedEgressCIDRs = allowedEgressCIDRs;
    }

    public List<@Size(max = 63) @Pattern(SchemaPatterns.DNS_LABEL) String> getAllowedIngressNamespaces() {
        return allowedIngressNamespaces;
    }

    public void setAllowedIngressNamespaces(
            List<@Size(max = 63) @Pattern(SchemaPatterns.DNS_LABEL) String> allowedIngressNamespaces) {
        this.allowedIngressNamespaces = allowedIngressNamespaces;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (o == null || getClass() != o.getClass()) {
            return false;
        }
        NetworkPolicySpec that = (NetworkPolicySpec) o;
        return Objects.equals(enabled, that.enabled)
                && Objects.equals(allowedEgressCIDRs, that.allowedEgressCIDRs)
                && Objects.equals(allowedIngressNamespaces, that.allowedIngressNamespaces);
    }

    @Override
    public int hashCode() {
        return Objects.hash(enabled, allowedEgressCIDRs, allowedIngressNamespaces);
    }

    @Override
    public String toString() {
        return "NetworkPolicySpec{" + "enabled=" + enabled + ", " + "allowedEgressCIDRs=" + allowedEgressCIDRs + ", "
                + "allowedIngressNamespaces=" + allowedIngressNamespaces + "}";
    }
}
