package io.k8s4claw.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.Objects;

/** Where a new claim's contents come from: a VolumeSnapshot or an archive (added by this project). */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "has(self.snapshot) != has(self.archiveKey)", message = ClawRules.RESTORE_ONE_SOURCE)
public class RestoreSpec {

    /** VolumeSnapshot in the Claw's namespace the claim is created from (the claim's dataSource). */
    @JsonPropertyDescription("VolumeSnapshot in the Claw's namespace the claim is created from (its dataSource).")
    @Size(max = 253)
    @Pattern(SchemaPatterns.DNS_SUBDOMAIN)
    private String snapshot;

    /** Object key of an archive in persistence.output.archive.destination, unpacked before the runtime starts. */
    @JsonPropertyDescription(
            "Object key of an archive made by reclaimPolicy Archive, in persistence.output.archive.destination; "
                    + "unpacked (its SHA-256 checked) before the runtime starts.")
    @Size(max = 1024)
    private String archiveKey;

    public RestoreSpec() {}

    public String getSnapshot() {
        return snapshot;
    }

    public void setSnapshot(String snapshot) {
        this.snapshot = snapshot;
    }

    public String getArchiveKey() {
        return archiveKey;
    }

    public void setArchiveKey(String archiveKey) {
        this.archiveKey = archiveKey;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (o == null || getClass() != o.getClass()) {
            return false;
        }
        RestoreSpec that = (RestoreSpec) o;
        return Objects.equals(snapshot, that.snapshot) && Objects.equals(archiveKey, that.archiveKey);
    }

    @Override
    public int hashCode() {
        return Objects.hash(snapshot, archiveKey);
    }

    @Override
    public String toString() {
        return "RestoreSpec{" + "snapshot=" + snapshot + ", " + "archiveKey=" + archiveKey + "}";
    }
}
