package io.k8s4claw.api.bus;

import io.k8s4claw.api.bus.v1.Frame;

/** One unit the {@link BusFrameDecoder} produced from the byte stream. */
public sealed interface DecodeResult {

    /** Byte offset of the frame's length prefix in the stream. */
    long offset();

    /** A well-formed frame. Its {@code body} may be unset when the peer sent a body type this build does not know. */
    record Decoded(Frame frame, long offset, int length) implements DecodeResult {}

    /**
     * A frame whose length prefix was fine but whose body is not a valid {@code Frame}: the stream stays
     * in sync (the next frame starts right after it), so the connection survives; answer with
     * {@code Error{MALFORMED_FRAME}}.
     */
    record Malformed(long offset, int length, String reason) implements DecodeResult {}
}
