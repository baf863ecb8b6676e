package io.k8s4claw.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import java.util.Objects;

/** An existing PersistentVolumeClaim mounted into the runtime. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SharedVolumeRef {

    /** Volume name in the pod. */
    @JsonPropertyDescription("Volume name in the pod.")
    @Required
    @Size(max = 63)
    @Pattern(SchemaPatterns.DNS_LABEL)
    private String name;

    /** Name of the existing claim. */
    @JsonPropertyDescription("Name of the existing claim.")
    @Required
    private String claimName;

    /** Absolute mount path. */
    @JsonPropertyDescription("Absolute mount path.")
    @Required
    @Pattern(SchemaPatterns.ABS_PATH)
    private String mountPath;

    /** Mount read-only. */
    @JsonPropertyDescription("Mount read-only.")
    @Default("false")
    private Boolean readOnly;

    public SharedVolumeRef() {}

    public String getName() {
        return name;
    }

    public void setName(String name) {
        this.name = name;
    }

    public String getClaimName() {
        return claimName;
    }

    public void setClaimName(String claimName) {
        this.claimName = claimName;
    }

    public String getMountPath() {
        return mountPath;
    }

    public void setMountPath(String mountPath) {
        this.mountPath = mountPath;
    }

    public Boolean getReadOnly() {
        return readOnly;
    }

    public void setReadOnly(Boolean readOnly) {
        this.readOnly = readOnly;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (o == null || getClass() != o.getClass()) {
            return false;
        }
        SharedVolumeRef that = (SharedVolumeRef) o;
        return Objects.equals(name, that.name)
                && Objects.equals(claimName, that.claimName)
                && Objects.equals(mountPath, that.mountPath)
                && Objects.equals(readOnly, that.readOnly);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, claimName, mountPath, readOnly);
    }

    @Override
    public String toString() {
        return "SharedVolumeRef{" + "name=" + name + ", " + "claimName=" + claimName + ", " + "mountPath=" + mountPath
                + ", " + "readOnly=" + readOnly + "}";
    }
}
