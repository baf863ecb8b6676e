package io.k8s4claw.api.validation;

import com.fasterxml.jackson.databind.JsonNode;
import io.k8s4claw.api.v1alpha1.ClawApi;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/** Checks of the envelope every custom resource shares: apiVersion, kind, metadata.name, known top-level fields. */
final class ResourceChecks {

    private static final Set<String> TOP_LEVEL = Set.of("apiVersion", "kind", "metadata", "spec", "status");

    private ResourceChecks() {}

    /** @return the {@code spec} node, or {@code null} when missing (already reported) */
    static JsonNode envelope(JsonNode resource, String kind, List<FieldError> out) {
        if (resource == null || !resource.isObject()) {
            out.add(new FieldError("(root)", "a " + kind + " must be a YAML/JSON object"));
            return null;
        }
        JsonNode apiVersion = resource.get("apiVersion");
        if (apiVersion == null || !ClawApi.API_VERSION.equals(apiVersion.asText())) {
            out.add(new FieldError(
                    "apiVersion",
                    "must be " + ClawApi.API_VERSION
                            + (apiVersion == null ? " (missing)" : " (got \"" + apiVersion.asText() + "\")")));
        }
        JsonNode k = resource.get("kind");
        if (k == null || !kind.equals(k.asText())) {
            out.add(new FieldError(
                    "kind", "must be " + kind + (k == null ? " (missing)" : " (got \"" + k.asText() + "\")")));
        }
        JsonNode name = resource.path("metadata").get("name");
        if (name == null || !name.isTextual() || name.textValue().isEmpty()) {
            if (resource.path("metadata").path("generateName").asText("").isEmpty()) {
                out.add(new FieldError("metadata.name", "is required"));
            }
        }
        for (Iterator<String> it = resource.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!TOP_LEVEL.contains(f)) {
                out.add(new FieldError(
                        f,
                        "unknown field \"" + f + "\" (a " + kind
                                + " has apiVersion, kind, metadata, spec and status)"));
            }
        }
        JsonNode spec = resource.get("spec");
        if (spec == null || spec.isNull()) {
            out.add(new FieldError("spec", "is required"));
            return null;
        }
        return spec;
    }
}
