package io.k8s4claw.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.Objects;

/** CSI VolumeSnapshots of a volume. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
        value = "!(has(self.enabled) && self.enabled) || has(self.schedule)",
        message = ClawRules.SNAPSHOT_SCHEDULE_REQUIRED)
public class SnapshotSpec {

    /** Take snapshots. */
    @JsonPropertyDescription("Take snapshots.")
    private Boolean enabled;

    /** Cron schedule (five fields or @daily-style macro); required when enabled. */
    @JsonPropertyDescription("Cron schedule (five fields or @daily-style macro); required when enabled.")
    @Pattern(SchemaPatterns.CRON)
    private String schedule;

    /** Number of snapshots kept. */
    @JsonPropertyDescription("Number of snapshots kept.")
    @Default("5")
    @Min(1)
    private Integer retain;

    /** VolumeSnapshotClass to use; the cluster's default class when empty. */
    @JsonPropertyDescription("VolumeSnapshotClass to use; the cluster's default class when empty.")
    @Size(max = 253)
    @Pattern(SchemaPatterns.DNS_SUBDOMAIN)
    private String volumeSnapshotClass;

    public SnapshotSpec() {}

    public Boolean getEnabled() {
        return enabled;
    }

    public void setEnabled(Boolean enabled) {
        this.enabled = enabled;
    }

    public String getSchedule() {
        return schedule;
    }

    public void setSchedule(String schedule) {
        this.schedule = schedule;
    }

    public Integer getRetain() {
        return retain;
    }

    public void setRetain(Integer retain) {
        this.retain = retain;
    }

    public String getVolumeSnapshotClass() {
        return volumeSnapshotClass;
    }

    public void setVolumeSnapshotClass(String volumeSnapshotClass) {
        this.volumeSnapshotClass = volumeSnapshotClass;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (o == null || getClass() != o.getClass()) {
            return false;
        }
        SnapshotSpec that = (SnapshotSpec) o;
        return Objects.equals(enabled, that.enabled)
                && Objects.equals(schedule, that.schedule)
                && Objects.equals(retain, that.retain)
                && Objects.equals(volumeSnapshotClass, that.volumeSnapshotClass);
    }

    @Override
    public int hashCode() {
        return Objects.hash(enabled, schedule, retain, volumeSnapshotClass);
    }

    @Override
    public String toString() {
        return "SnapshotSpec{" + "enabled=" + enabled + ", " + "schedule=" + schedule + ", " + "retain=" + retain + ", "
                + "volumeSnapshotClass=" + volumeSnapshotClass + "}";
    }
}
