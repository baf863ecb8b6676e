package io.k8s4claw.bridge.delivery;

import io.k8s4claw.api.bus.v1.Nack;

/** The bridge's answer to one UserMessage: an Ack once durable, or a Nack with a reason. */
public sealed interface AcceptResult {

    record Acked(boolean duplicate) implements AcceptResult {}

    record Refused(Nack.Reason reason, boolean retryable, int retryAfterMs, String detail, String userVisibleText)
            implements AcceptResult {}
}
