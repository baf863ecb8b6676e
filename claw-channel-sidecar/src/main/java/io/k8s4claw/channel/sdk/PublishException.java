package io.k8s4claw.channel.sdk;

import java.time.Duration;
import java.util.Objects;

/**
 * A user message was not accepted: the bridge refused it (a {@code Nack}) or the client could not take
 * it (local buffer full, client closed). {@link #userVisibleText()} is safe to show to the chat user.
 */
public final class PublishException extends RuntimeException {

    /** Why the message was not accepted. The bridge's Nack reasons plus the client's own. */
    public enum Reason {
        INVALID,
        OVERLOADED,
        STORAGE_FAILED,
        DRAINING,
        DEAD_LETTERED,
        RUNTIME_REJECTED,
        UNSPECIFIED,
        /** The client's bounded buffer is full (the bridge has been away too long or is too slow). */
        BUFFER_FULL,
        /**
         * The client was closed, or stopped for good (replaced, incompatible bridge), before the message was
         * written to any bridge: it was not taken.
         */
        CLOSED,
        /** Taken back with {@link BusClient#withdraw} before it was written to any bridge: it was not taken. */
        WITHDRAWN,
        /**
         * Written to the bridge but neither acknowledged nor refused before the client stopped: the bridge may
         * have stored it (and will then run it). Publishing the same message id again tells which.
         */
        UNCONFIRMED
    }

    private final String messageId;
    private final Reason reason;
    private final boolean retryable;
    private final Duration retryAfter;
    private final String userVisibleText;

    public PublishException(
            String messageId,
            Reason reason,
            boolean retryable,
            Duration retryAfter,
            String detail,
            String userVisibleText) {
        super("message " + messageId + " not accepted: " + reason
                + (detail == null || detail.isEmpty() ? "" : " (" + detail + ")"));
        this.messageId = messageId;
        this.reason = Objects.requireNonNull(reason);
        this.retryable = retryable;
        this.retryAfter = retryAfter == null ? Duration.ZERO : retryAfter;
        this.userVisibleText = userVisibleText == null ? "" : userVisibleText;
    }

    public String messageId() {
        return messageId;
    }

    public Reason reason() {
        return reason;
    }

    public boolean retryable() {
        return retryable;
    }

    public Duration retryAfter() {
        return retryAfter;
    }
    /** Text the channel may show the user (may be empty); never contains secrets. */
    public String userVisibleText() {
        return userVisibleText;
    }
}
