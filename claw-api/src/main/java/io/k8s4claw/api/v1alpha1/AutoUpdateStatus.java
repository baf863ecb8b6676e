package io.k8s4claw.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import java.util.List;
import java.util.Objects;

/** Observed auto-update state. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class AutoUpdateStatus {

    /** Running image tag. */
    @JsonPropertyDescription("Running image tag.")
    private String currentVersion;

    /** Newest acceptable version found. */
    @JsonPropertyDescription("Newest acceptable version found.")
    private String availableVersion;

    /** RFC 3339 time of the last registry check. */
    @JsonPropertyDescription("RFC 3339 time of the last registry check.")
    private String lastCheck;

    /** RFC 3339 time of the last applied update. */
    @JsonPropertyDescription("RFC 3339 time of the last applied update.")
    private String lastUpdate;

    /** Consecutive rollbacks. */
    @JsonPropertyDescription("Consecutive rollbacks.")
    private Integer rollbackCount;

    /** Versions that failed health checks and are skipped. */
    @JsonPropertyDescription("Versions that failed health checks and are skipped.")
    private List<String> failedVersions;

    /** True when rollbackCount reached maxRollbacks. */
    @JsonPropertyDescription("True when rollbackCount reached maxRollbacks.")
    private Boolean circuitOpen;

    /** Past update attempts. */
    @JsonPropertyDescription("Past update attempts.")
    private List<VersionHistoryEntry> versionHistory;

    public AutoUpdateStatus() {
    }

    public String getCurrentVersion() {
        return currentVersion;
    }

    public void setCurrentVersion(String currentVersion) {
        this.currentVersion = currentVersion;
    }

    public String getAvailableVersion() {
        return availableVersion;
    }

    public void setAvailableVersion(String availableVersion) {
        this.availableVersion = availableVersion;
    }

    public String getLastCheck() {
        return lastCheck;
    }

    public void setLastCheck(String lastCheck) {
        this.lastCheck = lastCheck;
    }

    public String getLastUpdate() {
        return lastUpdate;
    }

    public void setLastUpdate(String lastUpdate) {
        this.lastUpdate = lastUpdate;
    }

    public Integer getRollbackCount() {
        return rollbackCount;
    }

    public void setRollbackCount(Integer rollbackCount) {
        this.rollbackCount = rollbackCount;
    }

    public List<String> getFailedVersions() {
        return failedVersions;
    }

    public void setFailedVersions(List<String> failedVersions) {
        this.failedVersions = failedVersions;
    }

    public Boolean getCircuitOpen() {
        return circuitOpen;
    }

    public void setCircuitOpen(Boolean circuitOpen) {
        this.circuitOpen = circuitOpen;
    }

    public List<VersionHistoryEntry> getVersionHistory() {
        return versionHistory;
    }

    public void setVersionHistory(List<VersionHistoryEntry> versionHistory) {
        this.versionHistory = versionHistory;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (o == null || getClass() != o.getClass()) {
            return false;
        }
        AutoUpdateStatus that = (AutoUpdateStatus) o;
        return Objects.equals(currentVersion, that.currentVersion) && Objects.equals(availableVersion, that.availableVersion) && Objects.equals(lastCheck, that.lastCheck) && Objects.equals(lastUpdate, that.lastUpdate) && Objects.equals(rollbackCount, that.rollbackCount) && Objects.equals(failedVersions, that.failedVersions) && Objects.equals(circuitOpen, that.circuitOpen) && Objects.equals(versionHistory, that.versionHistory);
    }

    @Override
    public int hashCode() {
        return Objects.hash(currentVersion, availableVersion, lastCheck, lastUpdate, rollbackCount, failedVersions, circuitOpen, versionHistory);
    }

    @Override
    public String toString() {
        return "AutoUpdateStatus{" + "currentVersion=" + currentVersion + ", " + "availableVersion=" + availableVersion + ", " + "lastCheck=" + lastCheck + ", " + "lastUpdate=" + lastUpdate + ", " + "rollbackCount=" + rollbackCount + ", " + "failedVersions=" + failedVersions + ", " + "circuitOpen=" + circuitOpen + ", " + "versionHistory=" + versionHistory + "}";
    }
}
