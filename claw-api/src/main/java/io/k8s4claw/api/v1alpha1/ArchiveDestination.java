package io.k8s4claw.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import java.util.Objects;

/** S3-compatible object storage target. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ArchiveDestination {

    /** Backend: s3, minio, gcs-s3-interop or r2. */
    @JsonPropertyDescription("Backend: s3, minio, gcs-s3-interop or r2.")
    @Required
    private String type;

    /** Bucket name. */
    @JsonPropertyDescription("Bucket name.")
    @Required
    private String bucket;

    /** Key prefix. */
    @JsonPropertyDescription("Key prefix.")
    private String prefix;

    /** Secret with the object store's credentials. */
    @JsonPropertyDescription("Secret with the object store's credentials.")
    @Required
    private LocalObjectRef secretRef;

    /** S3-compatible endpoint URL; AWS S3 when empty (added by this project). */
    @JsonPropertyDescription(
            "S3-compatible endpoint URL (MinIO, SeaweedFS, R2, ...); AWS S3 when empty (added by this project).")
    @Pattern(SchemaPatterns.HTTP_URL)
    @Size(max = 2048)
    private String endpoint;

    /** Region; us-east-1 when empty (added by this project). */
    @JsonPropertyDescription("Region of the bucket; us-east-1 when empty (added by this project).")
    @Size(max = 64)
    private String region;

    /** Path-style addressing, as MinIO and SeaweedFS without wildcard DNS need (added by this project). */
    @JsonPropertyDescription(
            "Path-style addressing (bucket in the path, not the host name), as MinIO and SeaweedFS need (added by "
                    + "this project).")
    private Boolean forcePathStyle;

    public ArchiveDestination() {}

    public String getType() {
        return type;
    }

    public void setType(String type) {
        this.type = type;
    }

    public String getBucket() {
        return bucket;
    }

    public void setBucket(String bucket) {
        this.bucket = bucket;
    }

    public String getPrefix() {
        return prefix;
    }

    public void setPrefix(String prefix) {
        this.prefix = prefix;
    }

    public LocalObjectRef getSecretRef() {
        return secretRef;
    }

    public void setSecretRef(LocalObjectRef secretRef) {
        this.secretRef = secretRef;
    }

    public String getEndpoint() {
        return endpoint;
    }

    public void setEndpoint(String endpoint) {
        this.endpoint = endpoint;
    }

    public String getRegion() {
        return region;
    }

    public void setRegion(String region) {
        this.region = region;
    }

    public Boolean getForcePathStyle() {
        return forcePathStyle;
    }

    public void setForcePathStyle(Boolean forcePathStyle) {
        this.forcePathStyle = forcePathStyle;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (o == null || getClass() != o.getClass()) {
            return false;
        }
        ArchiveDestination that = (ArchiveDestination) o;
        return Objects.equals(type, that.type)
                && Objects.equals(bucket, that.bucket)
                && Objects.equals(prefix, that.prefix)
                && Objects.equals(secretRef, that.secretRef)
                && Objects.equals(endpoint, that.endpoint)
                && Objects.equals(region, that.region)
                && Objects.equals(forcePathStyle, that.forcePathStyle);
    }

    @Override
    public int hashCode() {
        return Objects.hash(type, bucket, prefix, secretRef, endpoint, region, forcePathStyle);
    }

    @Override
    public String toString() {
        return "ArchiveDestination{" + "type=" + type + ", " + "bucket=" + bucket + ", " + "prefix=" + prefix + ", "
                + "secretRef=" + secretRef + "}";
    }
}
