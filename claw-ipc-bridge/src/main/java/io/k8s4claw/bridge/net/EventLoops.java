package io.k8s4claw.bridge.net;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoEventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;

/**
 * The bridge's event loops and the TCP channel types that fit them. Netty 4.2 registers a channel only on a loop
 * of its own transport (an NIO socket on an epoll loop fails with "incompatible event loop type"), so whoever
 * opens a TCP socket on a loop asks here which class to use.
 */
public final class EventLoops {

    private EventLoops() {}

    /** One thread named {@code threadName}, a daemon: epoll where available, NIO otherwise. */
    public static EventLoopGroup newSingleThreadGroup(String threadName) {
        return new MultiThreadIoEventLoopGroup(
                1,
                r -> {
                    Thread t = new Thread(r, threadName);
                    t.setDaemon(true);
                    return t;
                },
                Epoll.isAvailable() ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
    }

    /** The TCP client socket class for {@code loop} (a group or one of its loops). */
    public static Class<? extends SocketChannel> socketChannel(EventLoopGroup loop) {
        return isEpoll(loop) ? EpollSocketChannel.class : NioSocketChannel.class;
    }

    /** The TCP listening socket class for {@code loop} (a group or one of its loops). */
    public static Class<? extends ServerSocketChannel> serverSocketChannel(EventLoopGroup loop) {
        return isEpoll(loop) ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }

    private static boolean isEpoll(EventLoopGroup loop) {
        return loop instanceof IoEventLoopGroup io && io.isIoType(EpollIoHandler.class);
    }
}
