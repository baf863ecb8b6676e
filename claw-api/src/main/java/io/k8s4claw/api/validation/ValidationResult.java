package io.k8s4claw.api.validation;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Every problem found in one resource, in the order they were found (schema walk first, then cross-field rules).
 *
 * @param errors the problems; empty when the resource is valid
 */
public record ValidationResult(List<FieldError> errors) {

    private static final ValidationResult VALID = new ValidationResult(List.of());

    public ValidationResult {
        errors = List.copyOf(Objects.requireNonNull(errors, "errors"));
    }

    /** A result without problems. */
    public static ValidationResult valid() {
        return VALID;
    }

    public static ValidationResult of(List<FieldError> errors) {
        return errors.isEmpty() ? VALID : new ValidationResult(errors);
    }

    public boolean isValid() {
        return errors.isEmpty();
    }

    /** This result plus {@code more} (e.g. a runtime adapter's own errors). */
    public ValidationResult plus(List<FieldError> more) {
        if (more.isEmpty()) {
            return this;
        }
        List<FieldError> all = new ArrayList<>(errors);
        all.addAll(more);
        return new ValidationResult(all);
    }

    /**
     * A readable, multi-line report, e.g.
     * <pre>
     * Claw hermes-assistant is invalid (2 problems):
     *   - spec.persistence.session.size: "5 Gb" is not a Kubernetes quantity (try 5Gi)
     *   - spec.channels[0].mode: "both" is not one of inbound, outbound, bidirectional
     * </pre>
     *
     * @param subject what was validated, e.g. {@code Claw hermes-assistant}
     */
    public String render(String subject) {
        if (errors.isEmpty()) {
            return subject + " is valid";
        }
        StringBuilder sb = new StringBuilder(subject)
                .append(" is invalid (")
                .append(errors.size())
                .append(errors.size() == 1 ? " problem):" : " problems):");
        for (FieldError e : errors) {
            sb.append("\n  - ").append(e);
        }
        return sb.toString();
    }

    /** @throws ValidationException carrying this result when it has problems */
    public void throwIfInvalid(String subject) {
        if (!errors.isEmpty()) {
            throw new ValidationException(subject, this);
        }
    }
}
