package io.k8s4claw.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Map;
import java.util.Objects;

/** ServiceAccount of the pod. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ServiceAccountSpec {

    /** Use this existing ServiceAccount instead of the generated one. */
    @JsonPropertyDescription("Use this existing ServiceAccount instead of the generated one.")
    private String name;

    /** Annotations (e.g. IRSA, Workload Identity). */
    @JsonPropertyDescription("Annotations (e.g. IRSA, Workload Identity).")
    private Map<String, String> annotations;

    public ServiceAccountSpec() {}

    public String getName() {
        return name;
    }

    public void setName(String name) {
        this.name = name;
    }

    public Map<String, String> getAnnotations() {
        return annotations;
    }

    public void setAnnotations(Map<String, String> annotations) {
        this.annotations = annotations;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (o == null || getClass() != o.getClass()) {
            return false;
        }
        ServiceAccountSpec that = (ServiceAccountSpec) o;
        return Objects.equals(name, that.name) && Objects.equals(annotations, that.annotations);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, annotations);
    }

    @Override
    public String toString() {
        return "ServiceAccountSpec{" + "name=" + name + ", " + "annotations=" + annotations + "}";
    }
}
