package io.k8s4claw.bridge.runtime;

import java.util.Objects;

/**
 * A proactive message could not be delivered to the platform. Codes: {@code unknown_channel} (no or several
 * channels match the target), {@code channel_away} (its sidecar is not connected and the wait expired),
 * {@code platform_error} (the sidecar's {@code ReplyAck} said not ok; {@link #retryable()} copied from it),
 * {@code unsupported} (the channel cannot do that operation), {@code closed} (the bridge is shutting down).
 */
public final class OutboundException extends Exception {
    private final String code;
    private final boolean retryable;

    public OutboundException(String code, String message, boolean retryable) {
        super(message);
        this.code = Objects.requireNonNull(code, "code");
        this.retryable = retryable;
    }

    public String code() {
        return code;
    }

    public boolean retryable() {
        return retryable;
    }
}
