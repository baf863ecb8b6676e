package io.k8s4claw.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Objects;

/** The output volume: a volume plus optional archival. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class OutputVolumeSpec extends VolumeSpec {

    /** Archival to object storage. */
    @JsonPropertyDescription("Archival to object storage.")
    private ArchiveSpec archive;

    public OutputVolumeSpec() {}

    public ArchiveSpec getArchive() {
        return archive;
    }

    public void setArchive(ArchiveSpec archive) {
        this.archive = archive;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (o == null || getClass() != o.getClass()) {
            return false;
        }
        OutputVolumeSpec that = (OutputVolumeSpec) o;
        return super.equals(o) && Objects.equals(archive, that.archive);
    }

    @Override
    public int hashCode() {
        return Objects.hash(super.hashCode(), archive);
    }

    @Override
    public String toString() {
        return "OutputVolumeSpec{" + "archive=" + archive + "}";
    }
}
