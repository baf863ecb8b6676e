package io.k8s4claw.api.validation;

import java.util.Objects;

/**
 * One problem with a custom resource: where it is ({@code path}, e.g. {@code spec.persistence.session.size})
 * and what to do about it ({@code message}, e.g. {@code "5 Gb" is not a Kubernetes quantity (try 5Gi)}).
 *
 * @param path    dotted field path from the resource root; list elements as {@code spec.channels[1].name}
 * @param message what is wrong, phrased so a user can fix it
 */
public record FieldError(String path, String message) {

    public FieldError {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(message, "message");
    }

    /** {@code path: message}, the form printed by the CLI and put into the ConfigValid condition. */
    @Override
    public String toString() {
        return path + ": " + message;
    }
}
