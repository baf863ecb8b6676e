package io.k8s4claw.api.validation;

import com.fasterxml.jackson.databind.JsonNode;
import io.k8s4claw.api.v1alpha1.ClawSelfConfig;
import io.k8s4claw.api.v1alpha1.ClawSelfConfigSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Schema-level and cross-field validation of a {@link ClawSelfConfig}, the Java twin of its CRD's schema and CEL
 * rules (see {@link ClawValidator}). Whether the request is <em>allowed</em> is the operator's decision, not this.
 */
public final class ClawSelfConfigValidator {

    private ClawSelfConfigValidator() {}

    public static ValidationResult validateCreate(ClawSelfConfig request) {
        Objects.requireNonNull(request, "request");
        return validateManifest(Manifests.toTree(request));
    }

    public static ValidationResult validateManifest(JsonNode resource) {
        List<FieldError> errors = new ArrayList<>();
        check(resource, errors);
        return ValidationResult.of(errors);
    }

    /** An update: everything a create checks, plus {@code clawRef} unchanged. */
    public static ValidationResult validateManifestUpdate(JsonNode old, JsonNode updated) {
        List<FieldError> errors = new ArrayList<>();
        ClawSelfConfigSpec after = check(updated, errors);
        ClawSelfConfigSpec before = old == null ? null : tryBind(old.get("spec"));
        if (before != null && after != null) {
            CrossFieldRules.selfConfigTransition(before, after, errors);
        }
        return ValidationResult.of(errors);
    }

    private static ClawSelfConfigSpec check(JsonNode resource, List<FieldError> errors) {
        JsonNode spec = ResourceChecks.envelope(resource, "ClawSelfConfig", errors);
        if (spec == null) {
            return null;
        }
        SchemaWalker walker = new SchemaWalker();
        walker.checkObject("spec", spec, ClawSelfConfigSpec.class);
        errors.addAll(walker.errors());
        ClawSelfConfigSpec bound = walker.hasBlockingErrors() ? null : tryBind(spec);
        if (bound != null) {
            CrossFieldRules.selfConfig(bound, errors);
        }
        return bound;
    }

    private static ClawSelfConfigSpec tryBind(JsonNode spec) {
        if (spec == null || !spec.isObject()) {
            return null;
        }
        try {
            return Manifests.bind(spec, ClawSelfConfigSpec.class);
        } catch (IllegalArgumentException e) {
            return null; // reported by the schema walk
        }
    }
}
