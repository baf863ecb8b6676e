package io.k8s4claw.bench;

import io.k8s4claw.bridge.bus.BusServer;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerDomainSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The ceiling: a Netty Unix-socket server that echoes every length-prefixed frame back (same framing, same
 * transport, same event-loop count as the bridge), honouring writability the same way.
 */
public final class RawEchoServer {

    public static void main(String[] args) throws Exception {
        Path path = Path.of(args[0]);
        Files.deleteIfExists(path);
        boolean epoll = Epoll.isAvailable();
        MultiThreadIoEventLoopGroup group =
                new MultiThreadIoEventLoopGroup(1, epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        ServerBootstrap b = new ServerBootstrap()
                .group(group)
                .channel(epoll ? EpollServerDomainSocketChannel.class : NioServerDomainSocketChannel.class)
                // the bridge's read sizes (pooled buffers under the container's small heap): same transport setup
                .childOption(ChannelOption.RECVBUF_ALLOCATOR, BusServer.pooledSizeReads())
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline()
                                .addLast(new LengthFieldBasedFrameDecoder(16 << 20, 0, 4, 0, 0))
                                .addLast(new ChannelInboundHandlerAdapter() {
                                    @Override
                                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                        ctx.write((ByteBuf) msg);
                                    }

                                    @Override
                                    public void channelReadComplete(ChannelHandlerContext ctx) {
                                        ctx.flush();
                                    }

                                    @Override
                                    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
                                        ctx.channel()
                                                .config()
                                                .setAutoRead(ctx.channel().isWritable());
                                    }
                                });
                    }
                });
        b.bind(epoll ? new DomainSocketAddress(path.toFile()) : UnixDomainSocketAddress.of(path))
                .sync();
        System.out.println("ECHO-READY transport=" + (epoll ? "epoll" : "nio"));
        System.out.flush();
        Thread.currentThread().join();
    }
}
