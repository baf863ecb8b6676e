package io.k8s4claw.bridge.delivery;

/** A bus message's identity: message ids are unique per channel only. */
public record MessageKey(String channel, String messageId) {}
