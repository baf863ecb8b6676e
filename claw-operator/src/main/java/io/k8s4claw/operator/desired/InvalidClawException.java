package io.k8s4claw.operator.desired;

import io.k8s4claw.api.validation.FieldError;
import java.util.List;

/** A Claw that passed validation but cannot be turned into a working pod, with the field paths to fix. */
public final class InvalidClawException extends RuntimeException {

    private final transient List<FieldError> errors;

    public InvalidClawException(List<FieldError> errors) {
        super(errors.toString());
        this.errors = List.copyOf(errors);
    }

    public List<FieldError> errors() {
        return errors;
    }
}
