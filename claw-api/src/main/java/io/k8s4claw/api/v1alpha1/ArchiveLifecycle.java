package io.k8s4claw.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import java.util.Objects;

/** Retention of archived files. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ArchiveLifecycle {

    /** How long files stay locally after archival (e.g. 7d). */
    @JsonPropertyDescription("How long files stay locally after archival (e.g. 7d).")
    private String localRetention;

    /** How long files stay in object storage (e.g. 365d). */
    @JsonPropertyDescription("How long files stay in object storage (e.g. 365d).")
    private String archiveRetention;

    /** Gzip archived files. */
    @JsonPropertyDescription("Gzip archived files.")
    @Default("true")
    private Boolean compress;

    public ArchiveLifecycle() {}

    public String getLocalRetention() {
        return localRetention;
    }

    public void setLocalRetention(String localRetention) {
        this.localRetention = localRetention;
    }

    public String getArchiveRetention() {
        return archiveRetention;
    }

    public void setArchiveRetention(String archiveRetention) {
        this.archiveRetention = archiveRetention;
    }

    public Boolean getCompress() {
        return compress;
    }

    public void setCompress(Boolean compress) {
        this.compress = compress;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (o == null || getClass() != o.getClass()) {
            return false;
        }
        ArchiveLifecycle that = (ArchiveLifecycle) o;
        return Objects.equals(localRetention, that.localRetention)
                && Objects.equals(archiveRetention, that.archiveRetention)
                && Objects.equals(compress, that.compress);
    }

    @Override
    public int hashCode() {
        return Objects.hash(localRetention, archiveRetention, compress);
    }

    @Override
    public String toString() {
        return "ArchiveLifecycle{" + "localRetention=" + localRetention + ", " + "archiveRetention=" + archiveRetention
                + ", " + "compress=" + compress + "}";
    }
}
