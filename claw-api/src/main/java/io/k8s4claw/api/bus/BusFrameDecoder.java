package io.k8s4claw.api.bus;

import com.google.protobuf.ExtensionRegistryLite;
import com.google.protobuf.InvalidProtocolBufferException;
import io.k8s4claw.api.bus.v1.Frame;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Incremental decoder of the bus framing: a 4-byte big-endian unsigned length N, then N bytes of one
 * serialized {@link Frame}. Feed it bytes as they arrive, in any split; it hands out each complete frame
 * once. Not thread-safe: one decoder per connection.
 *
 * <p>Two kinds of bad input are told apart, because they call for different reactions:
 * <ul>
 *   <li><b>resynchronisable</b> — the length is plausible but the body is not a valid Frame (or the
 *       length is zero): reported as {@link DecodeResult.Malformed}, decoding continues with the next
 *       frame; the peer gets {@code Error{MALFORMED_FRAME}} and the connection stays.</li>
 *   <li><b>fatal</b> — the length exceeds the maximum frame size (garbage, a desynchronised stream, or
 *       a peer ignoring the limit), or the stream ends inside a frame: a {@link BusFramingException} is
 *       thrown and the decoder refuses further input; the connection must be closed.</li>
 * </ul>
 */
public final class BusFrameDecoder {

    private static final ExtensionRegistryLite NO_EXTENSIONS = ExtensionRegistryLite.getEmptyRegistry();

    private int maxFrameBytes;
    /** Bytes of the stream consumed so far: the offset of the next byte fed. */
    private long streamOffset;
    /** Offset of the frame being assembled (its length prefix). */
    private long frameOffset;

    private final byte[] header = new byte[BusProtocol.LENGTH_PREFIX_BYTES];
    private int headerFilled;
    /** Body being assembled when a frame spans several feeds; null while reading a header. */
    private byte[] body;

    private int bodyFilled;
    private BusFramingException failure;

    public BusFrameDecoder() {
        this(BusProtocol.DEFAULT_MAX_FRAME_BYTES);
    }

    public BusFrameDecoder(int maxFrameBytes) {
        this.maxFrameBytes = BusProtocol.checkMaxFrameBytes(maxFrameBytes);
    }

    /** Applies the limit negotiated in the Welcome to frames that start after this call. */
    public void setMaxFrameBytes(int maxFrameBytes) {
        this.maxFrameBytes = BusProtocol.checkMaxFrameBytes(maxFrameBytes);
    }

    public int maxFrameBytes() {
        return maxFrameBytes;
    }

    /** Total bytes fed so far (the byte offset the next fed byte will have). */
    public long bytesConsumed() {
        return streamOffset;
    }

    /** True while bytes of an incomplete frame are buffered. */
    public boolean hasPartialFrame() {
        return headerFilled > 0 || body != null;
    }

    /**
     * Decodes what {@code bytes[off, off+len)} completes; returns the results in stream order. When the
     * framing breaks, the thrown {@link BusFramingException} carries the results that preceded the break
     * ({@link BusFramingException#decodedBefore()}).
     */
    public List<DecodeResult> feed(byte[] bytes, int off, int len) {
        return feed(ByteBuffer.wrap(bytes, off, len));
    }

    /** Decodes all of {@code bytes}. */
    public List<DecodeResult> feed(byte[] bytes) {
        return feed(bytes, 0, bytes.length);
    }

    /** Consumes every remaining byte of {@code in}; returns the results in stream order. */
    public List<DecodeResult> feed(ByteBuffer in) {
        List<DecodeResult> out = new ArrayList<>(2);
        try {
            feed(in, out::add);
        } catch (BusFramingException e) {
            // Frames complete before the broken one are still valid: hand them over with the failure.
            e.setDecodedBefore(out);
            throw e;
        }
        return out;
    }

    /**
     * Consumes every remaining byte of {@code in}, handing each result to {@code sink} as soon as it is
     * complete (no list allocation on the hot path).
     *
     * @throws BusFramingException when the framing is broken; the decoder then stays failed
     */
    public void feed(ByteBuffer in, Consumer<? super DecodeResult> sink) {
        if (failure != null) {
            throw new BusFramingException(
                    BusFramingException.Kind.DECODER_FAILED,
                    streamOffset,
                    failure.limit(),
                    "the bus decoder already failed (" + failure.getMessage() + "); close the connection");
        }
        while (in.hasRemaining()) {
            if (body == null) {
                // Fast path: a whole frame lies in the input, parse it in place without copying.
                if (headerFilled == 0 && in.remaining() >= BusProtocol.LENGTH_PREFIX_BYTES) {
                    long length = Integer.toUnsignedLong(in.getInt(in.position()));
                    frameOffset = streamOffset;
                    checkLength(length, frameOffset);
                    if (in.remaining() - BusProtocol.LENGTH_PREFIX_BYTES >= length) {
                        int bodyStart = in.position() + BusProtocol.LENGTH_PREFIX_BYTES;
                        ByteBuffer slice = in.duplicate();
                        slice.position(bodyStart).limit(bodyStart + (int) length);
                        in.position(bodyStart + (int) length);
                        streamOffset += BusProtocol.LENGTH_PREFIX_BYTES + length;
                        sink.accept(parseBody(slice, frameOffset, (int) length));
                        continue;
                    }
                }
                if (headerFilled == 0) {
                    frameOffset = streamOffset;
                }
                while (headerFilled < header.length && in.hasRemaining()) {
                    header[headerFilled++] = in.get();
                    streamOffset++;
                }
                if (headerFilled < header.length) {
                    return;
                }
                long length = Integer.toUnsignedLong(ByteBuffer.wrap(header).getInt());
                checkLength(length, frameOffset);
                headerFilled = 0;
                if (length == 0) {
                    sink.accept(zeroLength(frameOffset));
                    continue;
                }
                body = new byte[(int) length];
                bodyFilled = 0;
            }
            int n = Math.min(body.length - bodyFilled, in.remaining());
            in.get(body, bodyFilled, n);
            bodyFilled += n;
            streamOffset += n;
            if (bodyFilled == body.length) {
                byte[] complete = body;
                body = null;
                sink.accept(parseBody(ByteBuffer.wrap(complete), frameOffset, complete.length));
            }
        }
    }

    /**
     * Declares the end of the stream (the peer closed). Throws when it ended inside a frame, naming what
     * was missing.
     */
    public void endOfStream() {
        if (failure != null || !hasPartialFrame()) {
            return;
        }
        String what = body != null
                ? "inside a frame body: the length prefix announced " + body.length + " bytes, only " + bodyFilled
                        + " arrived"
                : "inside a length prefix: only " + headerFilled + " of " + BusProtocol.LENGTH_PREFIX_BYTES
                        + " bytes arrived";
        long limit = body != null ? body.length : BusProtocol.LENGTH_PREFIX_BYTES;
        failure = new BusFramingException(
                BusFramingException.Kind.TRUNCATED,
                frameOffset,
                limit,
                "truncated bus frame at byte offset " + frameOffset + ": the stream ended at byte offset "
                        + streamOffset + " " + what);
        throw failure;
    }

    private void checkLength(long length, long offset) {
        if (length > maxFrameBytes) {
            failure = tooLarge(length, offset, maxFrameBytes);
            throw failure;
        }
    }

    /**
     * The fatal error for a length prefix above {@code maxFrameBytes}; exposed so that transport-specific
     * decoders (a Netty handler) report exactly what this decoder reports.
     */
    public static BusFramingException tooLarge(long length, long offset, int maxFrameBytes) {
        return new BusFramingException(
                BusFramingException.Kind.FRAME_TOO_LARGE,
                offset,
                maxFrameBytes,
                "bus frame at byte offset " + offset + " announces " + length
                        + " bytes, more than the maximum frame size of " + maxFrameBytes
                        + " bytes; the stream cannot be resynchronised (is the peer speaking the claw bus"
                        + " protocol with the negotiated limit?)");
    }

    /** The resynchronisable result for a zero-length frame. */
    public static DecodeResult.Malformed zeroLength(long offset) {
        return new DecodeResult.Malformed(
                offset, 0, "zero-length bus frame at byte offset " + offset + " (a frame carries at least 1 byte)");
    }

    /**
     * Parses one frame body (exactly {@code length} bytes remaining in {@code body}). Never throws for bad
     * content: an unparsable body is a {@link DecodeResult.Malformed} naming the offset.
     */
    public static DecodeResult parseBody(ByteBuffer body, long offset, int length) {
        if (length == 0) {
            return zeroLength(offset);
        }
        try {
            Frame frame = Frame.parser().parseFrom(body, NO_EXTENSIONS);
            return new DecodeResult.Decoded(frame, offset, length);
        } catch (InvalidProtocolBufferException e) {
            return new DecodeResult.Malformed(
                    offset,
                    length,
                    "bus frame at byte offset " + offset + " (" + length + " bytes) is not a valid claw.bus.v1.Frame: "
                            + e.getMessage());
        }
    }
}
