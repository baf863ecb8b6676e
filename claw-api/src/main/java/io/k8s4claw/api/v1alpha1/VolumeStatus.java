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

    /** Archived files (output only). */
    @JsonPropertyDescription("Archived files (output only).")
    private Integer archivedFiles;

    public VolumeStatus() {
    }

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

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (o == null || getClass() != o.getClass()) {
            return false;
        }
        VolumeStatus that = (VolumeStatus) o;
        return Objects.equals(pvcName, that.pvcName) && Objects.equals(usagePercent, that.usagePercent) && Objects.equals(capacityBytes, that.capacityBytes) && Objects.equals(lastSnapshot, that.lastSnapshot) && Objects.equals(archivedFiles, that.archivedFiles);
    }

    @Override
    public int hashCode() {
        return Objects.hash(pvcName, usagePercent, capacityBytes, lastSnapshot, archivedFiles);
    }

    @Override
    public String toString() {
        return "VolumeStatus{" + "pvcName=" + pvcName + ", " + "usagePercent=" + usagePercent + ", " + "capacityBytes=" + capacityBytes + ", " + "lastSnapshot=" + lastSnapshot + ", " + "archivedFiles=" + archivedFiles + "}";
    }
}
