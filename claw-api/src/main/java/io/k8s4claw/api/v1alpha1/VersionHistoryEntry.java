package io.k8s4claw.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Objects;

/** One auto-update attempt. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class VersionHistoryEntry {

    /** Image tag. */
    @JsonPropertyDescription("Image tag.")
    private String version;

    /** RFC 3339 time it was applied. */
    @JsonPropertyDescription("RFC 3339 time it was applied.")
    private String appliedAt;

    /** Outcome. */
    @JsonPropertyDescription("Outcome.")
    private VersionHistoryStatus status;

    /** Why the attempt ended so (added by this project). */
    @JsonPropertyDescription("Why the attempt ended so (added by this project).")
    private String reason;

    /** Image tag that ran before the attempt (added by this project). */
    @JsonPropertyDescription("Image tag that ran before the attempt (added by this project).")
    private String previousVersion;

    public VersionHistoryEntry() {}

    public String getVersion() {
        return version;
    }

    public void setVersion(String version) {
        this.version = version;
    }

    public String getAppliedAt() {
        return appliedAt;
    }

    public void setAppliedAt(String appliedAt) {
        this.appliedAt = appliedAt;
    }

    public VersionHistoryStatus getStatus() {
        return status;
    }

    public void setStatus(VersionHistoryStatus status) {
        this.status = status;
    }

    public String getReason() {
        return reason;
    }

    public void setReason(String reason) {
        this.reason = reason;
    }

    public String getPreviousVersion() {
        return previousVersion;
    }

    public void setPreviousVersion(String previousVersion) {
        this.previousVersion = previousVersion;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (o == null || getClass() != o.getClass()) {
            return false;
        }
        VersionHistoryEntry that = (VersionHistoryEntry) o;
        return Objects.equals(version, that.version)
                && Objects.equals(appliedAt, that.appliedAt)
                && Objects.equals(status, that.status)
                && Objects.equals(reason, that.reason)
                && Objects.equals(previousVersion, that.previousVersion);
    }

    @Override
    public int hashCode() {
        return Objects.hash(version, appliedAt, status, reason, previousVersion);
    }

    @Override
    public String toString() {
        return "VersionHistoryEntry{" + "version=" + version + ", " + "appliedAt=" + appliedAt + ", " + "status="
                + status + ", " + "reason=" + reason + ", " + "previousVersion=" + previousVersion + "}";
    }
}
