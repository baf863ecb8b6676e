package io.k8s4claw.bridge.bus;

import io.k8s4claw.api.bus.BusFrameDecoder;
import io.k8s4claw.api.bus.BusProtocol;
import com.google.protobuf.CodedInputStream;
import io.k8s4claw.api.bus.v1.Frame;
import io.k8s4claw.api.bus.v1.UserMessage;
import io.netty.buffer.ByteBuf;
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
            UserMessageFrame fast = length == 0 ? null : userMessage(in.nioBuffer(bodyIndex, (int) length));
            out.add(fast != null ? fast
                    : BusFrameDecoder.parseBody(in.nioBuffer(bodyIndex, (int) length), streamOffset, (int) length));
            in.skipBytes(BusProtocol.LENGTH_PREFIX_BYTES + (int) length);
            streamOffset += BusProtocol.LENGTH_PREFIX_BYTES + length;
        }
    }

    private static final int SEQ_TAG = 1 << 3;
    private static final int USER_MESSAGE_TAG = Frame.USER_MESSAGE_FIELD_NUMBER << 3 | 2;

    /**
     * The fast path for the one frame that comes by the thousand: {@code Frame{seq, user_message}} is parsed
     * straight into the message, keeping its bytes for the journal. Anything else (another body, an unknown
     * field, a parse error) returns null and takes the general path, which also words the errors.
     */
    static UserMessageFrame userMessage(ByteBuffer body) {
        try {
            CodedInputStream in = CodedInputStream.newInstance(body);
            long seq = 0;
            byte[] message = null;
            for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
                if (tag == SEQ_TAG) {
                    seq = in.readUInt64();
                } else if (tag == USER_MESSAGE_TAG && message == null) {
                    message = in.readByteArray();
                } else {
                    return null;
                }
            }
            return message == null ? null : new UserMessageFrame(seq, UserMessage.parseFrom(message), message);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
