package io.k8s4claw.bridge.runtime;

import io.k8s4claw.api.bus.v1.UserMessage;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One user message on its way to the runtime: the bus {@code UserMessage} plus the channel it came from.
 *
 * @param messageId         the bus message id ({@code UserMessage.message_id}), unique within the channel
 * @param idempotencyKey    derived from (channel name, message id) by {@link #idempotencyKeyFor}; sent to the runtime
 * @param channelName       the ClawChannel's name (the bus connection's {@code Hello.channel_name})
 * @param channelType       slack, discord, telegram, webhook, ...
 * @param conversationId    Slack channel, Discord channel, Telegram chat id; never empty
 * @param threadId          thread within the conversation; empty when none
 * @param sender            who wrote it
 * @param text              the message text
 * @param platformMessageId the platform's id of the message (Slack ts, Discord snowflake); may be empty
 * @param attachments       references to files, never inline content
 * @param metadata          platform extras (team id, guild id ...); never secrets
 * @param chatType          direct, group or channel
 * @param sentAt            when the platform says it was sent ({@link Instant#EPOCH} when unknown)
 */
public record InboundMessage(
        String messageId,
        String idempotencyKey,
        String channelName,
        String channelType,
        String conversationId,
        String threadId,
        Sender sender,
        String text,
        String platformMessageId,
        List<Attachment> attachments,
        Map<String, String> metadata,
        ChatType chatType,
        Instant sentAt) {

    public record Sender(String id, String displayName, boolean bot) {
        public Sender {
            Objects.requireNonNull(id, "sender.id");
            Objects.requireNonNull(displayName, "sender.displayName");
        }
    }

    public record Attachment(String name, String mimeType, long sizeBytes, String ref) {
        public Attachment {
            Objects.requireNonNull(name, "attachment.name");
            Objects.requireNonNull(mimeType, "attachment.mimeType");
            Objects.requireNonNull(ref, "attachment.ref");
        }
    }

    public enum ChatType {
        UNSPECIFIED,
        DIRECT,
        GROUP,
        CHANNEL
    }

    public InboundMessage {
        requireNonEmpty(messageId, "messageId");
        requireNonEmpty(idempotencyKey, "idempotencyKey");
        requireNonEmpty(channelName, "channelName");
        Objects.requireNonNull(channelType, "channelType");
        requireNonEmpty(conversationId, "conversationId");
        Objects.requireNonNull(threadId, "threadId");
        Objects.requireNonNull(sender, "sender");
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(platformMessageId, "platformMessageId");
        attachments = List.copyOf(attachments);
        metadata = Map.copyOf(metadata);
        Objects.requireNonNull(chatType, "chatType");
        Objects.requireNonNull(sentAt, "sentAt");
    }

    /**
     * Builds the runtime-side view of a bus message received on the connection registered as
     * ({@code channelName}, {@code channelType}).
     *
     * @throws IllegalArgumentException naming the field when {@code message_id} or {@code conversation_id} is empty
     */
    public static InboundMessage from(String channelName, String channelType, UserMessage m) {
        return from(channelName, channelType, m, idempotencyKeyFor(channelName, m.getMessageId()));
    }

    /** {@link #from(String, String, UserMessage)} with the idempotency key already made (from the digest). */
    public static InboundMessage from(String channelName, String channelType, UserMessage m, String idempotencyKey) {
        var s = m.getSender();
        return new InboundMessage(
                m.getMessageId(),
                idempotencyKey,
                channelName,
                channelType,
                m.getConversationId(),
                m.getThreadId(),
                new Sender(s.getId(), s.getDisplayName(), s.getIsBot()),
                m.getText(),
                m.getPlatformMessageId(),
                m.getAttachmentsCount() == 0
                        ? List.of()
                        : m.getAttachmentsList().stream()
                                .map(a -> new Attachment(a.getName(), a.getMimeType(), a.getSizeBytes(), a.getRef()))
                                .toList(),
                m.getMetadataCount() == 0 ? Map.of() : m.getMetadataMap(),
                switch (m.getChatType()) {
                    case DIRECT -> ChatType.DIRECT;
                    case GROUP -> ChatType.GROUP;
                    case CHANNEL -> ChatType.CHANNEL;
                    default -> ChatType.UNSPECIFIED;
                },
                m.getSentAtUnixMs() > 0 ? Instant.ofEpochMilli(m.getSentAtUnixMs()) : Instant.EPOCH);
    }

    /**
     * The idempotency key of a bus message: {@code "claw-"} followed by the first 40 lowercase hex digits of
     * SHA-256(UTF-8(channelName + "\n" + messageId)). 45 visible ASCII characters, so it satisfies every runtime's
     * key syntax (Hermes: 1–255 chars in 0x21–0x7E), is the same after a crash or a dead-letter replay, and differs
     * between channels that happen to share a platform message id. Stable: changing it would re-run messages that
     * are being recovered.
     */
    public static String idempotencyKeyFor(String channelName, String messageId) {
        return idempotencyKeyOf(digestOf(channelName, messageId));
    }

    /**
     * SHA-256(UTF-8(channelName + "\n" + messageId)): a message's identity across channels, computed once per
     * message — the bridge keeps its first 128 bits to deduplicate and makes the idempotency key from it.
     */
    public static byte[] digestOf(String channelName, String messageId) {
        requireNonEmpty(channelName, "channelName");
        requireNonEmpty(messageId, "messageId");
        return SHA256.get().digest((channelName + "\n" + messageId).getBytes(StandardCharsets.UTF_8));
    }

    /** The idempotency key made from a message's {@link #digestOf digest}. */
    public static String idempotencyKeyOf(byte[] digest) {
        if (digest.length < 20) {
            throw new IllegalArgumentException("inbound message: digest of " + digest.length + " bytes, need 32");
        }
        byte[] key = new byte[KEY_PREFIX.length + 40];
        System.arraycopy(KEY_PREFIX, 0, key, 0, KEY_PREFIX.length);
        for (int i = 0; i < 20; i++) {
            key[KEY_PREFIX.length + 2 * i] = HEX[(digest[i] >> 4) & 0xF];
            key[KEY_PREFIX.length + 2 * i + 1] = HEX[digest[i] & 0xF];
        }
        return new String(key, StandardCharsets.US_ASCII);
    }

    private static final byte[] KEY_PREFIX = "claw-".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    /** One digest per thread: {@code MessageDigest.getInstance} (a provider lookup) cost more than the hash itself. */
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JRE", e);
        }
    });

    /** The conversation this message belongs to, as the runtime's session scope. */
    public SessionKey sessionKey() {
        return new SessionKey(channelName, conversationId, threadId);
    }

    private static void requireNonEmpty(String value, String field) {
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException("inbound message: " + field + " must not be empty");
        }
    }
}
