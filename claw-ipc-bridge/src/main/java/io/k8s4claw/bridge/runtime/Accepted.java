package io.k8s4claw.bridge.runtime;

import java.util.Objects;

/**
 * The runtime accepted a message.
 *
 * @param runRef   the runtime's reference to the run that will produce the reply (Hermes {@code run_id},
 *                 OpenClaw {@code runId}, relay: the bus message id). Opaque to the core, which records it durably,
 *                 uses it as {@code Reply.stream_id}, and passes it back to {@link RuntimeConnector#resume} and
 *                 {@link RuntimeConnector#answerApproval}. Printable ASCII, at most 255 characters.
 * @param replayed true when the runtime recognised the idempotency key and returned an existing run instead of
 *                 starting a new one (the duplicate was absorbed)
 */
public record Accepted(String runRef, boolean replayed) {
    public Accepted {
        Objects.requireNonNull(runRef, "runRef");
        if (runRef.isEmpty()) {
            throw new IllegalArgumentException("runRef must not be empty");
        }
    }
}
