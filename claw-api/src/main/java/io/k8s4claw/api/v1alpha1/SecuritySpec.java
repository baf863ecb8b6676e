package io.k8s4claw.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import java.util.Objects;

/** Pod and network security. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SecuritySpec {

    /** NetworkPolicy settings. */
    @JsonPropertyDescription("NetworkPolicy settings.")
    private NetworkPolicySpec networkPolicy;

    /** Run the runtime as a non-root user where the adapter supports it (added by this project). */
    @JsonPropertyDescription(
            "Run the runtime as a non-root user where the adapter supports it (added by this project).")
    private Boolean rootless;

    /** fsGroup of the pod (added by this project). */
    @JsonPropertyDescription("fsGroup of the pod (added by this project).")
    @Min(0)
    private Long fsGroup;

    /** RuntimeClass of the pod, e.g. gvisor or kata (added by this project). */
    @JsonPropertyDescription(
            "RuntimeClass of the pod, e.g. gvisor or kata; must exist in the cluster (added by this project).")
    @Size(max = 253)
    @Pattern(SchemaPatterns.DNS_SUBDOMAIN)
    private String runtimeClassName;

    public SecuritySpec() {}

    public NetworkPolicySpec getNetworkPolicy() {
        return networkPolicy;
    }

    public void setNetworkPolicy(NetworkPolicySpec networkPolicy) {
        this.networkPolicy = networkPolicy;
    }

    public Boolean getRootless() {
        return rootless;
    }

    public void setRootless(Boolean rootless) {
        this.rootless = rootless;
    }

    public Long getFsGroup() {
        return fsGroup;
    }

    public void setFsGroup(Long fsGroup) {
        this.fsGroup = fsGroup;
    }

    public String getRuntimeClassName() {
        return runtimeClassName;
    }

    public void setRuntimeClassName(String runtimeClassName) {
        this.runtimeClassName = runtimeClassName;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (o == null || getClass() != o.getClass()) {
            return false;
        }
        SecuritySpec that = (SecuritySpec) o;
        return Objects.equals(networkPolicy, that.networkPolicy)
                && Objects.equals(rootless, that.rootless)
                && Objects.equals(fsGroup, that.fsGroup)
                && Objects.equals(runtimeClassName, that.runtimeClassName);
    }

    @Override
    public int hashCode() {
        return Objects.hash(networkPolicy, rootless, fsGroup, runtimeClassName);
    }

    @Override
    public String toString() {
        return "SecuritySpec{" + "networkPolicy=" + networkPolicy + ", " + "rootless=" + rootless + ", " + "fsGroup="
                + fsGroup + ", " + "runtimeClassName=" + runtimeClassName + "}";
    }
}
