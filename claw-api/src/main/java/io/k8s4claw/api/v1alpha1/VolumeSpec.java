package io.k8s4claw.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.Objects;

/** A persistent volume (claim from the StatefulSet's volumeClaimTemplates). */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
        value = "!has(self.maxSize) || !self.maxSize.matches('" + SchemaPatterns.QUANTITY + "') || !self.size.matches('"
                + SchemaPatterns.QUANTITY + "') || quantity(self.maxSize).compareTo(quantity(self.size)) >= 0",
        message = ClawRules.MAX_SIZE_BELOW_SIZE)
public class VolumeSpec {

    /** Provision this volume. */
    @JsonPropertyDescription("Provision this volume.")
    @Default("true")
    private Boolean enabled;

    /** StorageClass of the claim; the cluster default when empty. Immutable. */
    @JsonPropertyDescription("StorageClass of the claim; the cluster default when empty. Immutable.")
    @Size(max = 253)
    @ValidationRule(value = "self == oldSelf", message = ClawRules.STORAGE_CLASS_IMMUTABLE)
    private String storageClass;

    /** Requested size as a Kubernetes quantity (e.g. 5Gi); may grow, never shrink. */
    @JsonPropertyDescription("Requested size as a Kubernetes quantity (e.g. 5Gi); may grow, never shrink.")
    @Required
    @Size(max = 64)
    @Pattern(SchemaPatterns.QUANTITY)
    @ValidationRule(
            value = "!self.matches('" + SchemaPatterns.QUANTITY + "') || !oldSelf.matches('" + SchemaPatterns.QUANTITY
                    + "') || quantity(self).compareTo(quantity(oldSelf)) >= 0",
            message = ClawRules.SIZE_NO_SHRINK)
    private String size;

    /** Ceiling for automatic expansion; not below size. Not supported yet: refused. */
    @JsonPropertyDescription(
            "Ceiling for automatic expansion; not below size. Not supported yet: refused; raise size to grow the "
                    + "claim.")
    @Size(max = 64)
    @Pattern(SchemaPatterns.QUANTITY)
    @ValidationRule(value = "false", message = NotSupportedYet.MAX_SIZE)
    private String maxSize;

    /** Absolute mount path in the runtime container; the adapter's default when empty. */
    @JsonPropertyDescription("Absolute mount path in the runtime container; the adapter's default when empty.")
    @Pattern(SchemaPatterns.ABS_PATH)
    private String mountPath;

    /** Snapshot settings. */
    @JsonPropertyDescription("Snapshot settings.")
    private SnapshotSpec snapshot;

    /** What a new claim starts from; only read when the claim is created (added by this project). */
    @JsonPropertyDescription(
            "What the claim starts from when it is created: a VolumeSnapshot or an archive; immutable once set "
                    + "(added by this project).")
    @ValidationRule(value = "self == oldSelf", message = ClawRules.RESTORE_IMMUTABLE)
    private RestoreSpec restoreFrom;

    public VolumeSpec() {}

    public Boolean getEnabled() {
        return enabled;
    }

    public void setEnabled(Boolean enabled) {
        this.enabled = enabled;
    }

    public String getStorageClass() {
        return storageClass;
    }

    public void setStorageClass(String storageClass) {
        this.storageClass = storageClass;
    }

    public String getSize() {
        return size;
    }

    public void setSize(String size) {
        this.size = size;
    }

    public String getMaxSize() {
        return maxSize;
    }

    public void setMaxSize(String maxSize) {
        this.maxSize = maxSize;
    }

    public String getMountPath() {
        return mountPath;
    }

    public void setMountPath(String mountPath) {
        this.mountPath = mountPath;
    }

    public SnapshotSpec getSnapshot() {
        return snapshot;
    }

    public void setSnapshot(SnapshotSpec snapshot) {
        this.snapshot = snapshot;
    }

    public RestoreSpec getRestoreFrom() {
        return restoreFrom;
    }

    public void setRestoreFrom(RestoreSpec restoreFrom) {
        this.restoreFrom = restoreFrom;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (o == null || getClass() != o.getClass()) {
            return false;
        }
        VolumeSpec that = (VolumeSpec) o;
        return Objects.equals(enabled, that.enabled)
                && Objects.equals(storageClass, that.storageClass)
                && Objects.equals(size, that.size)
                && Objects.equals(maxSize, that.maxSize)
                && Objects.equals(mountPath, that.mountPath)
                && Objects.equals(snapshot, that.snapshot)
                && Objects.equals(restoreFrom, that.restoreFrom);
    }

    @Override
    public int hashCode() {
        return Objects.hash(enabled, storageClass, size, maxSize, mountPath, snapshot, restoreFrom);
    }

    @Override
    public String toString() {
        return "VolumeSpec{" + "enabled=" + enabled + ", " + "storageClass=" + storageClass + ", " + "size=" + size
                + ", " + "maxSize=" + maxSize + ", " + "mountPath=" + mountPath + ", " + "snapshot=" + snapshot + "}";
    }
}
