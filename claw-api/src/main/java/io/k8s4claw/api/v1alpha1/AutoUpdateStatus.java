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

    /** Image tag that ran before the current one (added by this project). */
    @JsonPropertyDescription("Image tag that ran before the current one (added by this project).")
    private String previousVersion;

    /** Last image tag that passed the health check; rollbacks go back to it (added by this project). */
    @JsonPropertyDescription(
            "Last image tag that passed the health check; rollbacks go back to it (added by this project).")
    private String lastGoodVersion;

    /** RFC 3339 time of the next registry check (added by this project). */
    @JsonPropertyDescription("RFC 3339 time of the next registry check (added by this project).")
    private String nextCheck;

    /** Image tag on trial: rolled out, health not yet confirmed (added by this project). */
    @JsonPropertyDescription("Image tag on trial: rolled out, health not yet confirmed (added by this project).")
    private String pendingVersion;

    /** RFC 3339 time the pending version was rolled out (added by this project). */
    @JsonPropertyDescription("RFC 3339 time the pending version was rolled out (added by this project).")
    private String pendingSince;

    /** Consecutive failed registry checks; each retry waits longer (added by this project). */
    @JsonPropertyDescription("Consecutive failed registry checks; each retry waits longer (added by this project).")
    private Integer registryFailures;

    /**
     * Hash of spec.autoUpdate and spec.image the state belongs to; a change closes every circuit (added by this
     * project).
     */
    @JsonPropertyDescription(
            "Hash of spec.autoUpdate and spec.image the state belongs to; a change closes every circuit (added by "
                    + "this project).")
    private String specFingerprint;

    public AutoUpdateStatus() {}

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

    public String getPreviousVersion() {
        return previousVersion;
    }

    public void setPreviousVersion(String previousVersion) {
        this.previousVersion = previousVersion;
    }

    public String getLastGoodVersion() {
        return lastGoodVersion;
    }

    public void setLastGoodVersion(String lastGoodVersion) {
        this.lastGoodVersion = lastGoodVersion;
    }

    public String getNextCheck() {
        return nextCheck;
    }

    public void setNextCheck(String nextCheck) {
        this.nextCheck = nextCheck;
    }

    public String getPendingVersion() {
        return pendingVersion;
    }

    public void setPendingVersion(String pendingVersion) {
        this.pendingVersion = pendingVersion;
    }

    public String getPendingSince() {
        return pendingSince;
    }

    public void setPendingSince(String pendingSince) {
        this.pendingSince = pendingSince;
    }

    public Integer getRegistryFailures() {
        return registryFailures;
    }

    public void setRegistryFailures(Integer registryFailures) {
        this.registryFailures = registryFailures;
    }

    public String getSpecFingerprint() {
        return specFingerprint;
    }

    public void setSpecFingerprint(String specFingerprint) {
        this.specFingerprint = specFingerprint;
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
        return Objects.equals(currentVersion, that.currentVersion)
                && Objects.equals(availableVersion, that.availableVersion)
                && Objects.equals(lastCheck, that.lastCheck)
                && Objects.equals(lastUpdate, that.lastUpdate)
                && Objects.equals(rollbackCount, that.rollbackCount)
                && Objects.equals(failedVersions, that.failedVersions)
                && Objects.equals(circuitOpen, that.circuitOpen)
                && Objects.equals(versionHistory, that.versionHistory)
                && Objects.equals(previousVersion, that.previousVersion)
                && Objects.equals(lastGoodVersion, that.lastGoodVersion)
                && Objects.equals(nextCheck, that.nextCheck)
                && Objects.equals(pendingVersion, that.pendingVersion)
                && Objects.equals(pendingSince, that.pendingSince)
                && Objects.equals(registryFailures, that.registryFailures)
                && Objects.equals(specFingerprint, that.specFingerprint);
    }

    @Override
    public int hashCode() {
        return Objects.hash(
                currentVersion,
                availableVersion,
                lastCheck,
                lastUpdate,
                rollbackCount,
                failedVersions,
                circuitOpen,
                versionHistory,
                previousVersion,
                lastGoodVersion,
                nextCheck,
                pendingVersion,
                pendingSince,
                registryFailures,
                specFingerprint);
    }

    @Override
    public String toString() {
        return "AutoUpdateStatus{" + "currentVersion=" + currentVersion + ", " + "availableVersion=" + availableVersion
                + ", " + "lastCheck=" + lastCheck + ", " + "lastUpdate=" + lastUpdate + ", " + "rollbackCount="
                + rollbackCount + ", " + "failedVersions=" + failedVersions + ", " + "circuitOpen=" + circuitOpen + ", "
                + "versionHistory=" + versionHistory + ", " + "previousVersion=" + previousVersion + ", "
                + "lastGoodVersion=" + lastGoodVersion + ", " + "nextCheck=" + nextCheck + ", " + "pendingVersion="
                + pendingVersion + ", " + "pendingSince=" + pendingSince + ", " + "registryFailures=" + registryFailures
                + ", " + "specFingerprint=" + specFingerprint + "}";
    }
}
