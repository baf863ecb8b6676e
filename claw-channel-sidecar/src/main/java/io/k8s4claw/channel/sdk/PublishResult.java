package io.k8s4claw.channel.sdk;

/**
 * The bridge durably accepted a user message (it is in the bridge's fsynced log). {@code duplicate} is
 * true when the same message id had been accepted before and nothing new was stored.
 */
public record PublishResult(String messageId, boolean duplicate) {}
