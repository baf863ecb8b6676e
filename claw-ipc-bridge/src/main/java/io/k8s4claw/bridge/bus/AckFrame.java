package io.k8s4claw.bridge.bus;

/**
 * {@code Frame{seq, ack{message_id, duplicate}}}, the answer every accepted message gets: written by the encoder
 * straight into the outgoing buffer, without the three protobuf objects (and their builders) a {@code Frame}
 * would take for a dozen bytes of header around the id.
 */
record AckFrame(long seq, String messageId, boolean duplicate) {}
