package io.k8s4claw.bridge.bus;

import io.k8s4claw.api.bus.v1.UserMessage;

/**
 * A {@code Frame{seq, user_message}} decoded on the fast path: the message parsed once, and its serialized
 * bytes kept as received so that the journal stores them without serializing the message again.
 */
record UserMessageFrame(long seq, UserMessage message, byte[] bytes) {}
