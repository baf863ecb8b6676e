package io.k8s4claw.bridge.bus;

import com.google.protobuf.CodedOutputStream;
import io.k8s4claw.api.bus.v1.Ack;
import io.k8s4claw.api.bus.v1.Frame;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToByteEncoder;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Writes {@link Frame}s (and {@link EncodedReplyFrame}s) with the bus framing (4-byte big-endian length, then the
 * body) straight into Netty's buffer.
 */
@ChannelHandler.Sharable
final class NettyFrameEncoder extends MessageToByteEncoder<Object> {

    static final NettyFrameEncoder INSTANCE = new NettyFrameEncoder();
    private static final int SEQ_TAG = 1 << 3; // field 1, varint
    private static final int REPLY_TAG = Frame.REPLY_FIELD_NUMBER << 3 | 2; // length-delimited

    @Override
    public boolean acceptOutboundMessage(Object msg) {
        return msg instanceof Frame || msg instanceof EncodedReplyFrame || msg instanceof AckFrame;
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, Object msg, ByteBuf out) throws Exception {
        encodeTo(msg, out);
    }

    /** Appends one framed {@link Frame} or {@link EncodedReplyFrame} to {@code out}. */
    static void encodeTo(Object msg, ByteBuf out) throws IOException {
        if (msg instanceof EncodedReplyFrame r) {
            encodeReply(r, out);
            return;
        }
        if (msg instanceof AckFrame a) {
            encodeAck(a, out);
            return;
        }
        Frame frame = (Frame) msg;
        int size = frame.getSerializedSize();
        out.ensureWritable(4 + size);
        out.writeInt(size);
        if (out.nioBufferCount() == 1) {
            // Serialize straight into the buffer's memory: no intermediate array, no stream.
            ByteBuffer target = out.internalNioBuffer(out.writerIndex(), size);
            CodedOutputStream cos = CodedOutputStream.newInstance(target);
            frame.writeTo(cos);
            cos.flush();
            out.writerIndex(out.writerIndex() + size);
            return;
        }
        CodedOutputStream cos = CodedOutputStream.newInstance(new ByteBufOutputStream(out), Math.min(size, 4096));
        frame.writeTo(cos);
        cos.flush();
    }

    /** The same bytes {@code Frame.newBuilder().setSeq(seq).setReply(Reply.parseFrom(reply)).build()} serializes to. */
    private static void encodeReply(EncodedReplyFrame r, ByteBuf out) {
        writeHeader(out, r.seq(), REPLY_TAG, r.reply().length);
        out.writeBytes(r.reply());
    }

    private static final int ACK_TAG = Frame.ACK_FIELD_NUMBER << 3 | 2;
    private static final int ACK_MESSAGE_ID_TAG = Ack.MESSAGE_ID_FIELD_NUMBER << 3 | 2;
    private static final int ACK_DUPLICATE_TAG = Ack.DUPLICATE_FIELD_NUMBER << 3;

    /**
     * The same bytes {@code Frame.newBuilder().setSeq(seq).setAck(Ack.newBuilder().setMessageId(id)
     * .setDuplicate(duplicate))} serializes to: proto3 leaves out zero and empty fields, in field order.
     */
    private static void encodeAck(AckFrame a, ByteBuf out) {
        int idBytes = ByteBufUtil.utf8Bytes(a.messageId());
        int ack = (idBytes > 0 ? 1 + CodedOutputStream.computeUInt32SizeNoTag(idBytes) + idBytes : 0)
                + (a.duplicate() ? 2 : 0);
        writeHeader(out, a.seq(), ACK_TAG, ack);
        if (idBytes > 0) {
            out.writeByte(ACK_MESSAGE_ID_TAG);
            writeVarint(out, idBytes);
            ByteBufUtil.reserveAndWriteUtf8(out, a.messageId(), idBytes);
        }
        if (a.duplicate()) {
            out.writeByte(ACK_DUPLICATE_TAG);
            out.writeByte(1);
        }
    }

    /**
     * A {@code Frame{seq, body}} up to the body's bytes: the length prefix, the seq (left out when 0, as proto3
     * does), the body's tag and its length. Makes room for the body too.
     */
    private static void writeHeader(ByteBuf out, long seq, int bodyTag, int bodyLength) {
        int size = (seq != 0 ? 1 + CodedOutputStream.computeUInt64SizeNoTag(seq) : 0)
                + CodedOutputStream.computeUInt32SizeNoTag(bodyTag)
                + CodedOutputStream.computeUInt32SizeNoTag(bodyLength)
                + bodyLength;
        out.ensureWritable(4 + size);
        out.writeInt(size);
        if (seq != 0) {
            out.writeByte(SEQ_TAG);
            writeVarint(out, seq);
        }
        writeVarint(out, bodyTag);
        writeVarint(out, bodyLength);
    }

    private static void writeVarint(ByteBuf out, long value) {
        long v = value;
        while ((v & ~0x7FL) != 0) {
            out.writeByte((int) (v & 0x7F) | 0x80);
            v >>>= 7;
        }
        out.writeByte((int) v);
    }
}
