package io.k8s4claw.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.Objects;

/** Archival of the output volume to object storage. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ArchiveSpec {

    /** Whether output is archived periodically; only false is accepted until periodic archival exists. */
    @JsonPropertyDescription(
            "Whether output is archived periodically. Not supported yet: only false is accepted; the destination is "
                    + "used by reclaimPolicy Archive and restoreFrom.archiveKey.")
    @Required
    @ValidationRule(value = "self == false", message = NotSupportedYet.PERIODIC_ARCHIVE)
    private Boolean enabled;

    /** Object storage to archive to. */
    @JsonPropertyDescription("Object storage to archive to.")
    @Required
    private ArchiveDestination destination;

    /** When archival runs (kept for k8s4claw's wire shape; applies once periodic archival exists). */
    @JsonPropertyDescription(
            "When archival runs (applies once periodic archival exists; kept for k8s4claw's wire shape).")
    @Required
    private ArchiveTrigger trigger;

    /** Retention of archived files. */
    @JsonPropertyDescription("Retention of archived files.")
    private ArchiveLifecycle lifecycle;

    public ArchiveSpec() {}

    public Boolean getEnabled() {
        return enabled;
    }

    public void setEnabled(Boolean enabled) {
        this.enabled = enabled;
    }

    public ArchiveDestination getDestination() {
        return destination;
    }

    public void setDestination(ArchiveDestination destination) {
        this.destination = destination;
    }

    public ArchiveTrigger getTrigger() {
        return trigger;
    }

    public void setTrigger(ArchiveTrigger trigger) {
        this.trigger = trigger;
    }

    public ArchiveLifecycle getLifecycle() {
        return lifecycle;
    }

    public void setLifecycle(ArchiveLifecycle lifecycle) {
        this.lifecycle = lifecycle;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (o == null || getClass() != o.getClass()) {
            return false;
        }
        ArchiveSpec that = (ArchiveSpec) o;
        return Objects.equals(enabled, that.enabled)
                && Objects.equals(destination, that.destination)
                && Objects.equals(trigger, that.trigger)
                && Objects.equals(lifecycle, that.lifecycle);
    }

    @Override
    public int hashCode() {
        return Objects.hash(enabled, destination, trigger, lifecycle);
    }

    @Override
    public String toString() {
        return "ArchiveSpec{" + "enabled=" + enabled + ", " + "destination=" + destination + ", " + "trigger=" + trigger
                + ", " + "lifecycle=" + lifecycle + "}";
    }
}
