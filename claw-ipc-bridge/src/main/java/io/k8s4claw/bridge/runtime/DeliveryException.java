package io.k8s4claw.bridge.runtime;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Why the runtime did not accept a message (or an approval answer). The message never contains secrets.
 *
 * <p>Codes used by the connectors (stable, for metrics and dead-letter records): {@code unreachable},
 * {@code starting}, {@code draining}, {@code rate_limited}, {@code link_lost}, {@code timeout}, {@code runtime_error},
 * {@code unauthorized}, {@code rejected}, {@code bad_request}, {@code conflict}, {@code run_not_found},
 * {@code approval_unsupported}, {@code approval_not_pending}, {@code closed}, {@code protocol_error}.
 */
public final class DeliveryException extends Exception {

    private final String code;
    private final boolean retryable;
    private final Duration retryAfter;

    private DeliveryException(String code, String message, boolean retryable, Duration retryAfter, Throwable cause) {
        super(message, cause);
        this.code = Objects.requireNonNull(code, "code");
        this.retryable = retryable;
        this.retryAfter = retryAfter;
    }

    /** A retry of the same message can succeed (runtime starting, down, draining, at its cap, link lost). */
    public static DeliveryException retryable(String code, String message, Duration retryAfter, Throwable cause) {
        return new DeliveryException(code, message, true, retryAfter, cause);
    }

    public static DeliveryException retryable(String code, String message) {
        return retryable(code, message, null, null);
    }

    /** Retrying cannot help: the runtime refused this message, or the bridge is misconfigured. */
    public static DeliveryException permanent(String code, String message, Throwable cause) {
        return new DeliveryException(code, message, false, null, cause);
    }

    public static DeliveryException permanent(String code, String message) {
        return permanent(code, message, null);
    }

    public String code() {
        return code;
    }

    public boolean retryable() {
        return retryable;
    }

    /** The runtime's own hint (e.g. HTTP {@code Retry-After}); the core still applies its jittered backoff. */
    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }

    @Override
    public String toString() {
        return "DeliveryException[" + code + (retryable ? ", retryable" : ", permanent")
                + (retryAfter != null ? ", retryAfter=" + retryAfter : "") + "]: " + getMessage();
    }
}
