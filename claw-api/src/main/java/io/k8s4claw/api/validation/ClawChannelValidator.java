package io.k8s4claw.api.validation;

import com.fasterxml.jackson.databind.JsonNode;
import io.k8s4claw.api.v1alpha1.ClawChannel;
import io.k8s4claw.api.v1alpha1.ClawChannelSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** Schema-level and cross-field validation of a {@link ClawChannel}; see {@link ClawValidator}. */
public final class ClawChannelValidator {

    private ClawChannelValidator() {}

    public static ValidationResult validateCreate(ClawChannel channel) {
        Objects.requireNonNull(channel, "channel");
        return validateManifest(Manifests.toTree(channel));
    }

    /** A ClawChannel has no transition rules; an update is valid when the new version is. */
    public static ValidationResult validateUpdate(ClawChannel old, ClawChannel updated) {
        Objects.requireNonNull(old, "old");
        return validateCreate(updated);
    }

    public static ValidationResult validateManifest(JsonNode resource) {
        List<FieldError> errors = new ArrayList<>();
        JsonNode spec = ResourceChecks.envelope(resource, "ClawChannel", errors);
        if (spec == null) {
            return ValidationResult.of(errors);
        }
        SchemaWalker walker = new SchemaWalker();
        walker.checkObject("spec", spec, ClawChannelSpec.class);
        errors.addAll(walker.errors());
        if (spec.isObject() && !walker.hasBlockingErrors()) {
            try {
                ClawChannelSpec bound = Manifests.bind(spec, ClawChannelSpec.class);
                CrossFieldRules.channel(bound, errors);
                UnsupportedFields.channel(bound, errors);
            } catch (IllegalArgumentException e) {
                // reported by the schema walk
            }
        }
        return ValidationResult.of(errors);
    }
}
