package io.k8s4claw.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import java.util.List;
import java.util.Objects;

/** Overrides the runtime image (added by this project). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ImageSpec {

    /** Image repository; the adapter's pinned default when empty. */
    @JsonPropertyDescription("Image repository; the adapter's pinned default when empty.")
    private String repository;

    /** Image tag; the adapter's pinned, tested tag when empty. */
    @JsonPropertyDescription("Image tag; the adapter's pinned, tested tag when empty.")
    @Pattern(SchemaPatterns.TAG)
    private String tag;

    /** Pull policy. */
    @JsonPropertyDescription("Pull policy.")
    private ImagePullPolicy pullPolicy;

    /** kubernetes.io/dockerconfigjson Secrets the pod pulls with; auto-update lists tags with them too. */
    @JsonPropertyDescription(
            "kubernetes.io/dockerconfigjson Secrets the pod pulls with; auto-update lists tags with them too.")
    @Size(max = 16)
    private List<LocalObjectRef> pullSecrets;

    public ImageSpec() {}

    public String getRepository() {
        return repository;
    }

    public void setRepository(String repository) {
        this.repository = repository;
    }

    public String getTag() {
        return tag;
    }

    public void setTag(String tag) {
        this.tag = tag;
    }

    public ImagePullPolicy getPullPolicy() {
        return pullPolicy;
    }

    public void setPullPolicy(ImagePullPolicy pullPolicy) {
        this.pullPolicy = pullPolicy;
    }

    public List<LocalObjectRef> getPullSecrets() {
        return pullSecrets;
    }

    public void setPullSecrets(List<LocalObjectRef> pullSecrets) {
        this.pullSecrets = pullSecrets;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (o == null || getClass() != o.getClass()) {
            return false;
        }
        ImageSpec that = (ImageSpec) o;
        return Objects.equals(repository, that.repository)
                && Objects.equals(tag, that.tag)
                && Objects.equals(pullPolicy, that.pullPolicy)
                && Objects.equals(pullSecrets, that.pullSecrets);
    }

    @Override
    public int hashCode() {
        return Objects.hash(repository, tag, pullPolicy, pullSecrets);
    }

    @Override
    public String toString() {
        return "ImageSpec{" + "repository=" + repository + ", " + "tag=" + tag + ", " + "pullPolicy=" + pullPolicy
                + ", " + "pullSecrets=" + pullSecrets + "}";
    }
}
