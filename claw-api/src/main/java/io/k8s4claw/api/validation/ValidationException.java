package io.k8s4claw.api.validation;

/**
 * Thrown by {@link ValidationResult#throwIfInvalid(String)}; its message is the multi-line
 * {@link ValidationResult#render(String)}.
 */
public class ValidationException extends RuntimeException {

    private final transient ValidationResult result;

    public ValidationException(String subject, ValidationResult result) {
        super(result.render(subject));
        this.result = result;
    }

    public ValidationResult result() {
        return result;
    }
}
