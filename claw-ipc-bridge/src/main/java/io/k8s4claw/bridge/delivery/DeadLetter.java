package io.k8s4claw.bridge.delivery;

import io.k8s4claw.bridge.runtime.InboundMessage;

/**
 * A message the bridge gave up on. {@code id} is the message's idempotency key (URL-safe, stable), used by
 * the HTTP endpoint and the CLI.
 */
public record DeadLetter(
        String id,
        String channel,
        String messageId,
        String conversationId,
        String reason,
        int attempts,
        long acceptedAtMs,
        long deadLetteredAtMs,
        String textPreview) {

    static DeadLetter of(PendingMessage m, String reason, int attempts, long atMs) {
        String text = m.message.getText();
        return new DeadLetter(
                InboundMessage.idempotencyKeyOf(m.digest),
                m.key.channel(),
                m.key.messageId(),
                m.message.getConversationId(),
                reason,
                attempts,
                m.acceptedAtMs,
                atMs,
                text.length() > 80 ? text.substring(0, 80) + "…" : text);
    }
}
