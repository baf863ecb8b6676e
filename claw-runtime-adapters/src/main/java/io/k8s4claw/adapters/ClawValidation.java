package io.k8s4claw.adapters;

import io.k8s4claw.api.runtime.RuntimeAdapter;
import io.k8s4claw.api.runtime.RuntimeAdapters;
import io.k8s4claw.api.v1alpha1.Claw;
import io.k8s4claw.api.validation.ClawValidator;
import io.k8s4claw.api.validation.FieldError;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;

/**
 * Everything that decides whether a Claw can be rendered, in one call: the claw-api rules (schema and the Java
 * twins of the CRD's CEL rules) plus the rules of the Claw's runtime adapter. For callers that embed the adapters
 * without the operator.
 */
public final class ClawValidation {

    private ClawValidation() {}

    /** Every problem of a new Claw, each once, with its field path; empty when it can be rendered. */
    public static List<FieldError> validateCreate(RuntimeAdapters adapters, Claw claw) {
        List<FieldError> errors =
                new ArrayList<>(ClawValidator.validateCreate(claw).errors());
        adapter(adapters, claw, errors).ifPresent(a -> errors.addAll(a.validateCreate(claw)));
        return distinct(errors);
    }

    /** Every problem of changing {@code previous} into {@code updated}, each once. */
    public static List<FieldError> validateUpdate(RuntimeAdapters adapters, Claw previous, Claw updated) {
        List<FieldError> errors =
                new ArrayList<>(ClawValidator.validateUpdate(previous, updated).errors());
        // the previous runtime's adapter judges the transition (a runtime change is already an error above)
        adapter(adapters, previous, errors).ifPresent(a -> errors.addAll(a.validateUpdate(previous, updated)));
        return distinct(errors);
    }

    private static Optional<RuntimeAdapter> adapter(RuntimeAdapters adapters, Claw claw, List<FieldError> errors) {
        if (claw.getSpec() == null || claw.getSpec().getRuntime() == null) {
            return Optional.empty(); // reported by ClawValidator (spec.runtime is required)
        }
        String runtime = claw.getSpec().getRuntime().wireValue();
        Optional<RuntimeAdapter> adapter = adapters.find(runtime);
        if (adapter.isEmpty()) {
            errors.add(new FieldError(
                    "spec.runtime",
                    "no runtime adapter for '" + runtime + "' on the class path; available: " + adapters.runtimeIds()));
        }
        return adapter;
    }

    private static List<FieldError> distinct(List<FieldError> errors) {
        return List.copyOf(new LinkedHashSet<>(errors));
    }
}
