package io.k8s4claw.bridge.bus;

/**
 * A Reply frame whose Reply body is already serialized (the reply log journals those very bytes): the encoder
 * writes {@code Frame{seq, reply}} around them instead of serializing the Reply a second time.
 */
record EncodedReplyFrame(long seq, byte[] reply) {}
