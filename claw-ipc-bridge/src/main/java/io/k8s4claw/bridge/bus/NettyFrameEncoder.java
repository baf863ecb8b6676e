package io.k8s4claw.bridge.bus;

import com.google.protobuf.CodedOutputStream;
import io.k8s4claw.api.bus.v1.Frame;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToByteEncoder;

/** Writes {@link Frame}s with the bus framing (4-byte big-endian length, then the body) straight into Netty's buffer. */
@ChannelHandler.Sharable
final class NettyFrameEncoder extends MessageToByteEncoder<Frame> {

    static final NettyFrameEncoder INSTANCE = new NettyFrameEncoder();

    @Override
    protected void encode(ChannelHandlerContext ctx, Frame frame, ByteBuf out) throws Exception {
        int size = frame.getSerializedSize();
        out.ensureWritable(4 + size);
        out.writeInt(size);
        CodedOutputStream cos = CodedOutputStream.newInstance(new ByteBufOutputStream(out), Math.min(size, 4096));
        frame.writeTo(cos);
        cos.flush();
    }
}
