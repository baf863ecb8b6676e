package io.k8s4claw.api.bus;

import com.google.protobuf.CodedOutputStream;
import io.k8s4claw.api.bus.v1.Frame;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;

/**
 * Writes bus frames: a 4-byte big-endian length, then the serialized {@link Frame}. Refuses frames above
 * the maximum frame size instead of sending something the peer must close the connection over.
 * Stateless apart from the limit; safe to share.
 */
public final class BusFrameEncoder {

    private volatile int maxFrameBytes;

    public BusFrameEncoder() {
        this(BusProtocol.DEFAULT_MAX_FRAME_BYTES);
    }

    public BusFrameEncoder(int maxFrameBytes) {
        this.maxFrameBytes = BusProtocol.checkMaxFrameBytes(maxFrameBytes);
    }

    public void setMaxFrameBytes(int maxFrameBytes) {
        this.maxFrameBytes = BusProtocol.checkMaxFrameBytes(maxFrameBytes);
    }

    public int maxFrameBytes() {
        return maxFrameBytes;
    }

    /** Size on the wire (prefix included); checks the limit. */
    public int encodedSize(Frame frame) {
        return BusProtocol.LENGTH_PREFIX_BYTES + checkedBodySize(frame);
    }

    /** The frame as bytes, prefix included. */
    public byte[] encode(Frame frame) {
        int size = checkedBodySize(frame);
        ByteBuffer out = ByteBuffer.allocate(BusProtocol.LENGTH_PREFIX_BYTES + size);
        write(frame, size, out);
        return out.array();
    }

    /** Writes the frame into {@code out} (which must have {@link #encodedSize} bytes remaining). */
    public void encode(Frame frame, ByteBuffer out) {
        int size = checkedBodySize(frame);
        if (out.remaining() < BusProtocol.LENGTH_PREFIX_BYTES + size) {
            throw new IllegalArgumentException("buffer has " + out.remaining() + " bytes left, the frame needs "
                    + (BusProtocol.LENGTH_PREFIX_BYTES + size));
        }
        write(frame, size, out);
    }

    /** Writes the frame to a stream (not flushed). */
    public void encode(Frame frame, OutputStream out) throws IOException {
        out.write(encode(frame));
    }

    private static void write(Frame frame, int size, ByteBuffer out) {
        out.putInt(size);
        int start = out.position();
        if (out.hasArray()) {
            try {
                frame.writeTo(CodedOutputStream.newInstance(out.array(), out.arrayOffset() + start, size));
            } catch (IOException e) {
                throw new IllegalStateException("serializing a bus frame into a sized array failed", e);
            }
            out.position(start + size);
        } else {
            out.put(frame.toByteArray());
        }
    }

    private int checkedBodySize(Frame frame) {
        int size = frame.getSerializedSize();
        int max = maxFrameBytes;
        if (size == 0) {
            // An all-default Frame serializes to nothing; a zero-length frame is malformed on the wire.
            throw new IllegalArgumentException("refusing to send an empty bus frame (no body, seq 0): set a body");
        }
        if (size > max) {
            throw new BusFramingException(
                    BusFramingException.Kind.FRAME_TOO_LARGE,
                    -1,
                    max,
                    "refusing to send a " + frame.getBodyCase() + " bus frame of " + size
                            + " bytes: the maximum frame size is " + max + " bytes (split the content, e.g. send"
                            + " long replies as several messages)");
        }
        return size;
    }
}
