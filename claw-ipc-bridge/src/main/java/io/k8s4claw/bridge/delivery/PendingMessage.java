package io.k8s4claw.bridge.delivery;

import io.k8s4claw.api.bus.v1.UserMessage;
import io.k8s4claw.bridge.runtime.InboundMessage;
import io.k8s4claw.bridge.runtime.SessionKey;
import java.util.List;
import java.util.function.Consumer;

/**
 * An accepted message not yet completed. Mutable progress fields are guarded by the {@link InboundLedger}.
 */
public final class PendingMessage {

    final MessageKey key;
    /**
     * {@link InboundMessage#digestOf} of the key: the dedupe window keeps its first 128 bits, the idempotency key is
     * made from it.
     */
    final byte[] digest;

    final String channelType;
    final UserMessage message;
    final long acceptedAtMs;
    /** The runtime's run reference once it accepted the message (recorded in the journal). */
    volatile String runRef;
    /**
     * While its journal record is being written: repeats of the same id waiting for the answer (guarded by the
     * {@link InboundService}); null once stored.
     */
    List<Consumer<AcceptResult>> repeatsWhileStoring;

    int attempts;
    long firstAttemptAtMs;
    String lastError = "";

    PendingMessage(MessageKey key, byte[] digest, String channelType, UserMessage message, long acceptedAtMs) {
        this.key = key;
        this.digest = digest;
        this.channelType = channelType;
        this.message = message;
        this.acceptedAtMs = acceptedAtMs;
    }

    public MessageKey key() {
        return key;
    }

    public UserMessage message() {
        return message;
    }

    public String channelType() {
        return channelType;
    }

    public long acceptedAtMs() {
        return acceptedAtMs;
    }

    public String runRef() {
        return runRef;
    }

    public InboundMessage toInbound() {
        return InboundMessage.from(key.channel(), channelType, message, InboundMessage.idempotencyKeyOf(digest));
    }

    /** Messages of one conversation reach the runtime in order, one run at a time. */
    public SessionKey conversation() {
        return new SessionKey(key.channel(), message.getConversationId(), message.getThreadId());
    }
}
