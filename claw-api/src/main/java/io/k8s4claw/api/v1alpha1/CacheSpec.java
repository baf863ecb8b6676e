package io.k8s4claw.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import java.util.Objects;

/** Ephemeral cache (emptyDir). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class CacheSpec {

    /** Create the cache volume. */
    @JsonPropertyDescription("Create the cache volume.")
    @Default("true")
    private Boolean enabled;

    /** emptyDir medium: Memory (tmpfs) or empty for node disk. */
    @JsonPropertyDescription("emptyDir medium: Memory (tmpfs) or empty for node disk.")
    @Default("Memory")
    @Pattern(SchemaPatterns.CACHE_MEDIUM)
    private String medium;

    /** Size limit as a Kubernetes quantity. */
    @JsonPropertyDescription("Size limit as a Kubernetes quantity.")
    @Required
    @Pattern(SchemaPatterns.QUANTITY)
    private String size;

    /** Absolute mount path. */
    @JsonPropertyDescription("Absolute mount path.")
    @Required
    @Pattern(SchemaPatterns.ABS_PATH)
    private String mountPath;

    public CacheSpec() {}

    public Boolean getEnabled() {
        return enabled;
    }

    public void setEnabled(Boolean enabled) {
        this.enabled = enabled;
    }

    public String getMedium() {
        return medium;
    }

    public void setMedium(String medium) {
        this.medium = medium;
    }

    public String getSize() {
        return size;
    }

    public void setSize(String size) {
        this.size = size;
    }

    public String getMountPath() {
        return mountPath;
    }

    public void setMountPath(String mountPath) {
        this.mountPath = mountPath;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (o == null || getClass() != o.getClass()) {
            return false;
        }
        CacheSpec that = (CacheSpec) o;
        return Objects.equals(enabled, that.enabled)
                && Objects.equals(medium, that.medium)
                && Objects.equals(size, that.size)
                && Objects.equals(mountPath, that.mountPath);
    }

    @Override
    public int hashCode() {
        return Objects.hash(enabled, medium, size, mountPath);
    }

    @Override
    public String toString() {
        return "CacheSpec{" + "enabled=" + enabled + ", " + "medium=" + medium + ", " + "size=" + size + ", "
                + "mountPath=" + mountPath + "}";
    }
}
