package io.k8s4claw.channel.common;

/**
 * The few things a platform must do for {@link ReplyStreamer} to deliver agent replies: post a message
 * (into a thread), edit one, show typing. Implementations map the platform's errors to
 * {@link PlatformException} kinds; pacing and retries live in {@link ReplyStreamer}.
 */
public interface PlatformOutbox {

    /** Where a reply goes: the conversation, its thread (may be empty), the message it answers (may be empty). */
    record Target(String conversationId, String threadId, String replyToPlatformMessageId) {}

    /**
     * Posts one message (already split to fit); returns the platform's id of it. {@code idempotencyKey}
     * is the same for every retry of this one message (Discord sends it as {@code nonce}).
     */
    String post(Target target, String text, boolean markdown, String idempotencyKey) throws PlatformException;

    /** Replaces the text of an earlier message; only called when {@link #supportsEdit()}. */
    void update(Target target, String platformMessageId, String text, boolean markdown) throws PlatformException;

    /** Shows a typing indicator if the platform has one (best effort). */
    default void typing(Target target) throws PlatformException {}

    boolean supportsEdit();

    TextSplitter splitter();
}
