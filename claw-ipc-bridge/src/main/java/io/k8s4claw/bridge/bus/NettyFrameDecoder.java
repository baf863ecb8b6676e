package io.k8s4claw.bridge.bus;

import io.k8s4claw.api.bus.BusFrameDecoder;
import io.k8s4claw.api.bus.BusProtocol;
import io.k8s4claw.api.bus.v1.Frame;
import io.k8s4claw.api.bus.v1.UserMessage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * The bus framing on a Netty pipeline, with the same rules and messages as claw-api's
 * {@link BusFrameDecoder} (whose static helpers it uses), but parsing each body in place from Netty's
 * buffer. Emits {@link io.k8s4claw.api.bus.DecodeResult}s; a length above the limit raises
 * {@link io.k8s4claw.api.bus.BusFramingException} (fatal), after which further input is discarded.
 */
final class NettyFrameDecoder extends ByteToMessageDecoder {

    private volatile int maxFrameBytes;
    private long streamOffset;
    private boolean failed;

    NettyFrameDecoder(int maxFrameBytes) {
        this.maxFrameBytes = BusProtocol.checkMaxFrameBytes(maxFrameBytes);
    }

    void setMaxFrameBytes(int maxFrameBytes) {
        this.maxFrameBytes = BusProtocol.checkMaxFrameBytes(maxFrameBytes);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        while (in.readableBytes() >= BusProtocol.LENGTH_PREFIX_BYTES) {
            long length = in.getUnsignedInt(in.readerIndex());
            if (length > maxFrameBytes) {
                failed = true;
                in.skipBytes(in.readableBytes());
                throw BusFrameDecoder.tooLarge(length, streamOffset, maxFrameBytes);
            }
            if (in.readableBytes() < BusProtocol.LENGTH_PREFIX_BYTES + length) {
                return;
            }
            int bodyIndex = in.readerIndex() + BusProtocol.LENGTH_PREFIX_BYTES;
            UserMessageFrame fast = length == 0 ? null : userMessage(in, bodyIndex, (int) length);
            out.add(
                    fast != null
                            ? fast
                            : BusFrameDecoder.parseBody(
                                    in.nioBuffer(bodyIndex, (int) length), streamOffset, (int) length));
            in.skipBytes(BusProtocol.LENGTH_PREFIX_BYTES + (int) length);
            streamOffset += BusProtocol.LENGTH_PREFIX_BYTES + length;
        }
    }

    private static final int SEQ_TAG = 1 << 3;
    private static final int USER_MESSAGE_TAG = Frame.USER_MESSAGE_FIELD_NUMBER << 3 | 2;

    /**
     * The fast path for the one frame that comes by the thousand: {@code Frame{seq, user_message}} is read
     * straight from Netty's buffer — its few header bytes walked here, the message's bytes copied once into the
     * array that is both parsed and journaled (a {@code CodedInputStream} over the direct buffer copied the
     * whole body first, then the message out of that copy). Anything else (another body, an unknown field, a
     * parse error) returns null and takes the general path, which also words the errors.
     */
    static UserMessageFrame userMessage(ByteBuf buf, int index, int length) {
        try {
            Cursor in = new Cursor(buf, index, index + length);
            long seq = 0;
            byte[] message = null;
            while (in.at < in.end) {
                long tag = in.varint();
                if (tag == SEQ_TAG) {
                    seq = in.varint();
                } else if (tag == USER_MESSAGE_TAG && message == null) {
                    long size = in.varint();
                    // a varint is unsigned: one of ten bytes reads as a negative long, which passed the bound and
                    // became new byte[(int) size] — up to 2 GiB asked for by an 11-byte frame (found by fuzzing)
                    if (size < 0 || size > in.end - in.at) {
                        return null;
                    }
                    message = new byte[(int) size];
                    buf.getBytes(in.at, message);
                    in.at += (int) size;
                } else {
                    return null;
                }
            }
            return message == null ? null : new UserMessageFrame(seq, UserMessage.parseFrom(message), message);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** {@link #userMessage(ByteBuf, int, int)} over a NIO buffer's remaining bytes (tests, fuzzing). */
    static UserMessageFrame userMessage(ByteBuffer body) {
        return userMessage(Unpooled.wrappedBuffer(body), 0, body.remaining());
    }

    /** Reads protobuf varints from a frame's bytes in place. */
    private static final class Cursor {
        final ByteBuf buf;
        final int end;
        int at;

        Cursor(ByteBuf buf, int at, int end) {
            this.buf = buf;
            this.at = at;
            this.end = end;
        }

        /** The varint at the cursor, as protobuf reads it (at most ten bytes, over-long forms included). */
        long varint() {
            long value = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                if (at >= end) {
                    throw new IndexOutOfBoundsException("varint runs past the frame");
                }
                byte b = buf.getByte(at++);
                value |= (long) (b & 0x7F) << shift;
                if (b >= 0) {
                    return value;
                }
            }
            throw new IllegalArgumentException("varint longer than ten bytes");
        }
    }
}
