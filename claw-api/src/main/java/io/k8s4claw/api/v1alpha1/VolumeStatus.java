package io.k8s4claw.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Objects;

/** Observed state of one volume. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class VolumeStatus {

    /** PersistentVolumeClaim name. */
    @JsonPropertyDescription("PersistentVolumeClaim name.")
    private String pvcName;

    /** Usage in percent. */
    @JsonPropertyDescription("Usage in percent.")
    private Integer usagePercent;

    /** Capacity in bytes. */
    @JsonPropertyDescription("Capacity in bytes.")
    private Long capacityBytes;

    /** RFC 3339 time of the last successful snapshot. */
    @JsonPropertyDescription("RFC 3339 time of the last successful snapshot.")
    private String lastSnapshot;

    /** Name of the newest VolumeSnapshot the operator took of this volume (added by this project). */
    @JsonPropertyDescription(
            "Name of the newest VolumeSnapshot the operator took of this volume (added by this project).")
    private String lastSnapshotName;

    /** Whether that VolumeSnapshot is ready to use (added by this project). */
    @JsonPropertyDescription("Whether that VolumeSnapshot is ready to use (added by this project).")
    private Boolean lastSnapshotReady;

    /** Archived files (output only). */
    @JsonPropertyDescription("Archived files (output only).")
    private Integer archivedFiles;

    public VolumeStatus() {}

    public String getPvcName() {
        return pvcName;
    }

    public void setPvcName(String pvcName) {
        this.pvcName = pvcName;
    }

    public Integer getUsagePercent() {
        return usagePercent;
    }

    public void setUsagePercent(Integer usagePercent) {
        this.usagePercent = usagePercent;
    }

    public Long getCapacityBytes() {
        return capacityBytes;
    }

    public void setCapacityBytes(Long capacityBytes) {
        this.capacityBytes = capacityBytes;
    }

    public String getLastSnapshot() {
        return lastSnapshot;
    }

    public void setLastSnapshot(String lastSnapshot) {
        this.lastSnapshot = lastSnapshot;
    }

    public Integer getArchivedFiles() {
        return archivedFiles;
    }

    public void setArchivedFiles(Integer archivedFiles) {
        this.archivedFiles = archivedFiles;
    }

    public String getLastSnapshotName() {
        return lastSnapshotName;
    }

    public void setLastSnapshotName(String lastSnapshotName) {
        this.lastSnapshotName = lastSnapshotName;
    }

    public Boolean getLastSnapshotReady() {
        return lastSnapshotReady;
    }

    public void setLastSnapshotReady(Boolean lastSnapshotReady) {
        this.lastSnapshotReady = lastSnapshotReady;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (o == null || getClass() != o.getClass()) {
            return false;
        }
        VolumeStatus that = (VolumeStatus) o;
        return Objects.equals(pvcName, that.pvcName)
                && Objects.equals(usagePercent, that.usagePercent)
                && Objects.equals(capacityBytes, that.capacityBytes)
                && Objects.equals(lastSnapshot, that.lastSnapshot)
                && Objects.equals(archivedFiles, that.archivedFiles)
                && Objects.equals(lastSnapshotName, that.lastSnapshotName)
                && Objects.equals(lastSnapshotReady, that.lastSnapshotReady);
    }

    @Override
    public int hashCode() {
        return Objects.hash(
                pvcName, usagePercent, capacityBytes, lastSnapshot, archivedFiles, lastSnapshotName, lastSnapshotReady);
    }

    @Override
    public String toString() {
        return "VolumeStatus{" + "pvcName=" + pvcName + ", " + "usagePercent=" + usagePercent + ", " + "capacityBytes="
                + capacityBytes + ", " + "lastSnapshot=" + lastSnapshot + ", " + "archivedFiles=" + archivedFiles + ", "
                + "lastSnapshotName=" + lastSnapshotName + ", " + "lastSnapshotReady=" + lastSnapshotReady + "}";
    }
}
