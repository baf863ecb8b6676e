package io.k8s4claw.channel.sdk;

/**
 * The bridge durably accepted a user message (it is in the bridge's fsynced log). {@code duplicate} is
 * true when the same message id had been accepted before this publish and nothing new was stored. The
 * client's own resend after a reconnect does not count: when the bridge stored the first copy and its
 * Ack was lost, the resend's Ack says duplicate, yet the message was published once, so this is false.
 */
public record PublishResult(String messageId, boolean duplicate) {}
