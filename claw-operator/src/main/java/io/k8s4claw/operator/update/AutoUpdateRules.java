package io.k8s4claw.operator.update;

import io.k8s4claw.api.runtime.ImagePolicy;
import io.k8s4claw.api.v1alpha1.AutoUpdateSpec;
import io.k8s4claw.api.v1alpha1.Claw;
import io.k8s4claw.api.v1alpha1.ImageSpec;
import io.k8s4claw.api.v1alpha1.RuntimeType;
import io.k8s4claw.api.validation.FieldError;
import java.util.ArrayList;
import java.util.List;

/**
 * What the CRD's patterns cannot say about {@code spec.autoUpdate} and the operator checks before anything is
 * rendered: the constraint and the schedule parse as the operator reads them, and an enabled auto-update has a tag
 * to start from and a repository to list — otherwise the field would be accepted and do nothing.
 */
public final class AutoUpdateRules {

    private AutoUpdateRules() {}

    public static List<FieldError> check(Claw claw, ImagePolicy policy) {
        List<FieldError> errors = new ArrayList<>();
        AutoUpdateSpec spec = claw.getSpec().getAutoUpdate();
        if (spec == null) {
            return errors;
        }
        if (spec.getVersionConstraint() != null && !spec.getVersionConstraint().isBlank()) {
            VersionConstraint.problem(spec.getVersionConstraint())
                    .ifPresent(p -> errors.add(new FieldError(
                            "spec.autoUpdate.versionConstraint",
                            p + "; use a semver range such as ^2.0.0, ~1.4, >=1.2 <2 or 1.x")));
        }
        if (spec.getSchedule() != null) {
            try {
                CronSchedule.parse(spec.getSchedule());
            } catch (IllegalArgumentException e) {
                errors.add(new FieldError("spec.autoUpdate.schedule", e.getMessage()));
            }
        }
        if (!Boolean.TRUE.equals(spec.getEnabled())) {
            return errors;
        }
        if (claw.getSpec().getRuntime() == RuntimeType.CUSTOM) {
            errors.add(new FieldError(
                    "spec.autoUpdate.enabled",
                    "auto-update is not supported for runtime custom yet (its image is"
                            + " spec.custom.image, a full reference); set enabled: false and pin the "
                            + "version in spec.custom.image"));
            return errors;
        }
        ImageSpec image = claw.getSpec().getImage();
        String repository = image != null
                        && image.getRepository() != null
                        && !image.getRepository().isBlank()
                ? image.getRepository().trim()
                : policy.repository();
        String tag = image != null && image.getTag() != null && !image.getTag().isBlank()
                ? image.getTag().trim()
                : policy.pinnedTag();
        if (repository.isEmpty()) {
            errors.add(new FieldError(
                    "spec.autoUpdate.enabled",
                    "runtime " + claw.getSpec().getRuntime().wireValue()
                            + " has no default image to update; set spec.image.repository or disable auto-update"));
        } else if (repository.contains("@")) {
            errors.add(new FieldError(
                    "spec.image.repository",
                    "auto-update picks tags, but the image is pinned by digest; drop the"
                            + " @digest or set spec.autoUpdate.enabled: false"));
        } else if (SemVer.parse(tag).isEmpty()) {
            errors.add(new FieldError(
                    "spec.image.tag",
                    "auto-update starts from a release tag and rolls back to one, but '" + tag
                            + "' is not a semantic version (moving tags such as latest are never used); set "
                            + "a release tag such as v1.2.3"));
        }
        return errors;
    }
}
