package io.k8s4claw.api.bus;

import io.k8s4claw.api.bus.v1.Error;
import java.util.List;

/**
 * The byte stream cannot be read as bus frames any more (or a frame cannot be written): the connection
 * must be closed. The message names the byte offset in the stream and the limit involved, so that a log
 * line alone says what went wrong and where.
 */
public final class BusFramingException extends RuntimeException {

    /** What broke the framing. */
    public enum Kind {
        /** The length prefix announces more than the maximum frame size. */
        FRAME_TOO_LARGE(Error.Code.FRAME_TOO_LARGE),
        /** The stream ended inside a length prefix or a frame body. */
        TRUNCATED(Error.Code.MALFORMED_FRAME),
        /** The decoder already failed; it does not resume after a fatal error. */
        DECODER_FAILED(Error.Code.INTERNAL);

        private final Error.Code errorCode;

        Kind(Error.Code errorCode) {
            this.errorCode = errorCode;
        }

        /** The bus Error code to send the peer before closing. */
        public Error.Code errorCode() {
            return errorCode;
        }
    }

    private final Kind kind;
    private final long offset;
    private final long limit;
    private transient List<DecodeResult> decodedBefore = List.of();

    public BusFramingException(Kind kind, long offset, long limit, String message) {
        super(message);
        this.kind = kind;
        this.offset = offset;
        this.limit = limit;
    }

    public Kind kind() {
        return kind;
    }

    /** Byte offset in the stream (from the start of the connection) where the broken frame starts. */
    public long offset() {
        return offset;
    }

    /** The limit involved (the maximum frame size, or the announced length for a truncated frame). */
    public long limit() {
        return limit;
    }

    /**
     * Results decoded from the same input before the framing broke (only filled by the list-returning
     * {@code feed} methods; the callback variant has already delivered them).
     */
    public List<DecodeResult> decodedBefore() {
        return decodedBefore;
    }

    void setDecodedBefore(List<DecodeResult> results) {
        this.decodedBefore = List.copyOf(results);
    }
}
