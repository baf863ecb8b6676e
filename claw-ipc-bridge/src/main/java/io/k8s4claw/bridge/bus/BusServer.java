package io.k8s4claw.bridge.bus;

import io.k8s4claw.api.bus.BusProtocol;
import io.k8s4claw.api.bus.v1.Nack;
import io.k8s4claw.bridge.delivery.InboundService;
import io.k8s4claw.bridge.delivery.SidecarNotifier;
import io.k8s4claw.bridge.net.EventLoops;
import io.k8s4claw.bridge.ops.BridgeMetrics;
import io.k8s4claw.bridge.reply.ReplyService;
import io.k8s4claw.bridge.runtime.RuntimeConnector;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.socket.nio.NioServerDomainSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.handler.timeout.IdleStateHandler;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bus server: Netty on a Unix domain socket (epoll where available, else the JDK's NIO Unix sockets),
 * optionally also on loopback TCP (tests, non-Linux development).
 */
public final class BusServer implements SidecarNotifier, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(BusServer.class);

    private final BusSettings settings;
    private final InboundService inbound;
    private final ReplyService replies;
    private final RuntimeConnector connector;
    private final BridgeMetrics metrics;
    private final ChannelRegistry registry = new ChannelRegistry();
    private final List<Channel> servers = new ArrayList<>();
    private EventLoopGroup group;
    private boolean epoll;
    private volatile int tcpPort;
    private volatile boolean listening;
    private volatile boolean paused;

    public BusServer(
            BusSettings settings,
            InboundService inbound,
            ReplyService replies,
            RuntimeConnector connector,
            BridgeMetrics metrics) {
        this.settings = settings;
        this.inbound = inbound;
        this.replies = replies;
        this.connector = connector;
        this.metrics = metrics;
        metrics.gauge("claw_bridge_connected_sidecars", "Channel sidecars registered on the bus", registry::size);
    }

    /**
     * The bridge's one event loop: every bus connection, and (as the journal's loop) all delivery and reply
     * state, run on its single thread. Epoll where available, NIO otherwise.
     */
    public static EventLoopGroup newLoopGroup() {
        return EventLoops.newSingleThreadGroup("bridge-loop");
    }

    /**
     * Binds the socket(s) on {@code group}, a group from {@link #newLoopGroup()} that the caller shuts down
     * after {@link #close()} (the journal completes its work on it).
     */
    public void start(ScheduledExecutorService scheduler, EventLoopGroup group)
            throws IOException, InterruptedException {
        epoll = Epoll.isAvailable();
        this.group = group;
        if (settings.socketPath() != null) {
            Path path = settings.socketPath();
            prepareSocketPath(path);
            ServerBootstrap b = bootstrap()
                    .channel(epoll ? EpollServerDomainSocketChannel.class : NioServerDomainSocketChannel.class);
            Channel ch = b.bind(epoll ? new DomainSocketAddress(path.toFile()) : UnixDomainSocketAddress.of(path))
                    .sync()
                    .channel();
            servers.add(ch);
            try {
                // Only the pod's processes (same fsGroup) may connect.
                Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-rw----"));
            } catch (IOException | UnsupportedOperationException e) {
                log.warn("could not set mode 0660 on {}: {}", path, e.toString());
            }
            log.atInfo()
                    .addKeyValue("socket", path)
                    .addKeyValue("transport", epoll ? "epoll" : "nio")
                    .log("bus listening on a Unix socket");
        }
        if (settings.tcpPort() != 0) {
            Channel ch = bootstrap()
                    // the epoll loop takes epoll sockets only: an NIO one failed "incompatible event loop type"
                    .channel(EventLoops.serverSocketChannel(group))
                    .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), Math.max(0, settings.tcpPort())))
                    .sync()
                    .channel();
            servers.add(ch);
            tcpPort = ((InetSocketAddress) ch.localAddress()).getPort();
            log.atInfo().addKeyValue("port", tcpPort).log("bus listening on loopback TCP");
        }
        listening = true;
        scheduler.scheduleWithFixedDelay(this::updateFlowControl, 100, 100, TimeUnit.MILLISECONDS);
    }

    /** Bound TCP port (when TCP was asked for). */
    public int tcpPort() {
        return tcpPort;
    }

    public boolean listening() {
        return listening;
    }

    public int connectedSidecars() {
        return registry.size();
    }

    private ServerBootstrap bootstrap() {
        ServerBootstrap b = new ServerBootstrap().group(group);
        if (!(group instanceof MultiThreadIoEventLoopGroup)) {
            throw new IllegalStateException("unexpected event loop group");
        }
        return b.childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(256 << 10, 1 << 20))
                .childOption(ChannelOption.RECVBUF_ALLOCATOR, pooledSizeReads())
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        if (!peerAllowed(ch)) {
                            ch.close();
                            return;
                        }
                        int hb = settings.heartbeatIntervalMs();
                        NettyFrameDecoder decoder = new NettyFrameDecoder(settings.maxFrameBytes());
                        ch.pipeline()
                                .addLast(
                                        "idle",
                                        new IdleStateHandler(
                                                (long) hb * BusProtocol.MISSED_HEARTBEATS_BEFORE_DEAD,
                                                hb,
                                                0,
                                                TimeUnit.MILLISECONDS))
                                .addLast("decoder", decoder)
                                .addLast("encoder", NettyFrameEncoder.INSTANCE)
                                .addLast(
                                        "bus",
                                        new BusConnectionHandler(
                                                settings, registry, inbound, replies, connector, metrics, decoder));
                    }
                });
    }

    /**
     * Reads of at most 8 KiB. Netty's adaptive allocator pools buffers only up to 16 KiB when the heap is below
     * 512 MiB (the bridge's is 32 MiB); anything larger is a fresh, zeroed, cleaner-tracked direct allocation
     * each time. A read buffer of up to 8 KiB plus the partial frame the decoder carries over still fits a pooled
     * 16 KiB cumulation, so the receive path never leaves the pool. Shared with the benchmark's ceiling server.
     */
    public static AdaptiveRecvByteBufAllocator pooledSizeReads() {
        return new AdaptiveRecvByteBufAllocator(64, 1024, 8 << 10);
    }

    private boolean peerAllowed(Channel ch) {
        if (!(ch instanceof EpollDomainSocketChannel ds)
                || settings.allowedUids().isEmpty()) {
            return true;
        }
        try {
            int uid = ds.peerCredentials().uid();
            if (settings.allowedUids().contains(uid)) {
                return true;
            }
            log.atWarn()
                    .addKeyValue("peerUid", uid)
                    .addKeyValue("allowed", settings.allowedUids())
                    .log("refused a bus connection from a process of another user (run the pod's containers as "
                            + "one user, "
                            + "or list the uid in CLAW_BUS_ALLOWED_UIDS)");
        } catch (IOException e) {
            log.warn("could not read the peer's credentials; refusing: {}", e.toString());
        }
        return false;
    }

    /** Removes a stale socket file, but refuses to steal one another live process is listening on. */
    private static void prepareSocketPath(Path path) throws IOException {
        if (path.toString().getBytes().length > 107) {
            throw new IOException("CLAW_BUS_SOCKET path is " + path.toString().length()
                    + " bytes; Unix socket paths must be shorter than 108 bytes: " + path);
        }
        Files.createDirectories(path.toAbsolutePath().getParent());
        if (Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            if (Files.isDirectory(path)) {
                throw new IOException("CLAW_BUS_SOCKET " + path + " is a directory; it must name a socket file");
            }
            try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                probe.connect(UnixDomainSocketAddress.of(path));
                throw new IOException("another process is listening on " + path + "; is a second bridge running?");
            } catch (IOException e) {
                if (e.getMessage() != null && e.getMessage().startsWith("another process")) {
                    throw e;
                }
                Files.delete(path);
                log.info("removed stale bus socket {}", path);
            }
        }
    }

    /** Pauses all sidecars while the backlog to the runtime is at its bound, resumes them below it. */
    private void updateFlowControl() {
        boolean saturated = inbound.saturated();
        if (saturated != paused) {
            paused = saturated;
            for (BusConnectionHandler c : registry.all()) {
                c.sendFlowControl(saturated, saturated ? "backlog to the runtime is full" : "");
            }
            log.atInfo().addKeyValue("paused", saturated).log("flow control to sidecars changed");
        }
    }

    @Override
    public void nack(String channel, Nack nack) {
        BusConnectionHandler c = registry.get(channel);
        if (c != null) {
            c.sendNack(nack);
        }
    }

    /** Stops accepting connections and tells every sidecar to drain. */
    public void drain(String reason, int deadlineMs) {
        for (Channel s : servers) {
            s.close().awaitUninterruptibly(1000);
        }
        listening = false;
        for (BusConnectionHandler c : registry.all()) {
            c.sendDrain(reason, deadlineMs);
        }
        if (settings.socketPath() != null) {
            try {
                Files.deleteIfExists(settings.socketPath());
            } catch (IOException ignored) {
                // next start removes it
            }
        }
    }

    @Override
    public void close() {
        listening = false;
        for (Channel s : servers) {
            s.close();
        }
        for (BusConnectionHandler c : registry.all()) {
            if (c.nettyChannel() != null) {
                c.nettyChannel().close();
            }
        }
        for (Channel s : servers) {
            s.closeFuture().awaitUninterruptibly(2000);
        }
        for (BusConnectionHandler c : registry.all()) {
            if (c.nettyChannel() != null) {
                c.nettyChannel().closeFuture().awaitUninterruptibly(2000);
            }
        }
    }
}
