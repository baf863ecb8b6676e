package io.k8s4claw.bridge.bus;

import io.k8s4claw.api.bus.BusFrameDecoder;
import io.k8s4claw.api.bus.BusProtocol;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
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
        this.maxFrameBytes = maxFrameBytes;
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
            out.add(BusFrameDecoder.parseBody(in.nioBuffer(bodyIndex, (int) length), streamOffset, (int) length));
            in.skipBytes(BusProtocol.LENGTH_PREFIX_BYTES + (int) length);
            streamOffset += BusProtocol.LENGTH_PREFIX_BYTES + length;
        }
    }
}
