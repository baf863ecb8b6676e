package io.k8s4claw.api.validation;

import com.fasterxml.jackson.databind.JsonNode;
import io.k8s4claw.api.v1alpha1.Claw;
import io.k8s4claw.api.v1alpha1.ClawSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Schema-level and cross-field validation of a {@link Claw}: the same rules the generated CRD makes the API
 * server enforce (OpenAPI schema + CEL), applied in Java so the operator and {@code claw validate} report every
 * problem with its field path before anything is created. Runtime-specific rules come from the runtime adapters
 * and are added by the caller ({@link ValidationResult#plus(List)}).
 */
public final class ClawValidator {

    private ClawValidator() {}

    /** Validates a Claw about to be created (or reconciled). */
    public static ValidationResult validateCreate(Claw claw) {
        Objects.requireNonNull(claw, "claw");
        return validateManifest(Manifests.toTree(claw));
    }

    /**
     * Validates an update: everything {@link #validateCreate(Claw)} checks on {@code updated}, plus the transition
     * rules (runtime immutable, volume sizes may not shrink, storage classes immutable).
     */
    public static ValidationResult validateUpdate(Claw old, Claw updated) {
        Objects.requireNonNull(old, "old");
        Objects.requireNonNull(updated, "updated");
        return validateManifestUpdate(Manifests.toTree(old), Manifests.toTree(updated));
    }

    /**
     * Validates a Claw as written by a user (a parsed YAML/JSON document), reporting what binding to the model
     * would hide: wrong types, unknown enum values and unknown fields, each with its path.
     */
    public static ValidationResult validateManifest(JsonNode resource) {
        List<FieldError> errors = new ArrayList<>();
        check(resource, errors);
        return ValidationResult.of(errors);
    }

    /**
     * Validates an update given as user-written documents. As in kube-apiserver, the transition rules are not
     * evaluated while the new version has blocking schema errors (wrong types, unknown enum values, missing
     * required fields).
     */
    public static ValidationResult validateManifestUpdate(JsonNode old, JsonNode updated) {
        List<FieldError> errors = new ArrayList<>();
        ClawSpec after = check(updated, errors);
        ClawSpec before = old == null ? null : tryBind(old.get("spec"));
        if (before != null && after != null) {
            CrossFieldRules.clawTransition(before, after, errors);
        }
        return ValidationResult.of(errors);
    }

    /**
     * Adds every problem of {@code resource} to {@code errors}; returns its bound spec unless blocking errors prevented
     * it.
     */
    private static ClawSpec check(JsonNode resource, List<FieldError> errors) {
        JsonNode spec = ResourceChecks.envelope(resource, "Claw", errors);
        if (spec == null) {
            return null;
        }
        SchemaWalker walker = new SchemaWalker();
        walker.checkObject("spec", spec, ClawSpec.class);
        errors.addAll(walker.errors());
        ClawSpec bound = walker.hasBlockingErrors() ? null : tryBind(spec);
        if (bound != null) {
            CrossFieldRules.claw(bound, errors);
            UnsupportedFields.claw(bound, errors);
        }
        return bound;
    }

    private static ClawSpec tryBind(JsonNode spec) {
        if (spec == null || !spec.isObject()) {
            return null;
        }
        try {
            return Manifests.bind(spec, ClawSpec.class);
        } catch (IllegalArgumentException e) {
            return null; // the schema walk has already reported why (wrong type, unknown enum value)
        }
    }
}
