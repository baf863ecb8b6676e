package io.k8s4claw.channel.sdk;

import io.k8s4claw.api.bus.BusFrameDecoder;
import io.k8s4claw.api.bus.BusFrameEncoder;
import io.k8s4claw.api.bus.DecodeResult;
import io.k8s4claw.api.bus.v1.Ack;
import io.k8s4claw.api.bus.v1.Frame;
import io.k8s4claw.api.bus.v1.Welcome;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;

/**
 * A minimal bridge for SDK tests: listens on a Unix socket, speaks the bus framing through claw-api's
 * codec, answers Hello with a configurable Welcome, records every frame it receives, and lets the test
 * send frames and drop connections.
 */
public final class FakeBridge implements AutoCloseable {
    public final Path socket;
    private final ServerSocketChannel server;
    private final Thread acceptor;
    public final BlockingQueue<Frame> received = new LinkedBlockingQueue<>();
    public final List<Conn> connections = new CopyOnWriteArrayList<>();
    public volatile UnaryOperator<Welcome.Builder> welcome = w -> w;
    /** When non-null, answer Hello with this frame instead of a Welcome. */
    public volatile Frame helloAnswer;

    public volatile boolean autoAck;

    public FakeBridge(Path socket) throws IOException {
        this(socket, false);
    }

    /**
     * A bridge with {@link #autoAck} already on when it starts listening. Use this when a client may already be
     * dialling the socket: setting the field after the constructor races the client, which can register and
     * send its buffered messages before the flag is on, and those are then never acknowledged.
     */
    public FakeBridge(Path socket, boolean autoAck) throws IOException {
        this.socket = socket;
        this.autoAck = autoAck;
        Files.deleteIfExists(socket);
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        acceptor = Thread.ofPlatform().daemon(true).name("fake-bridge-accept").start(this::acceptLoop);
    }

    private void acceptLoop() {
        while (server.isOpen()) {
            try {
                SocketChannel ch = server.accept();
                Conn c = new Conn(ch);
                connections.add(c);
                Thread.ofPlatform().daemon(true).name("fake-bridge-conn").start(c::readLoop);
            } catch (IOException e) {
                return;
            }
        }
    }

    public Conn current() {
        return connections.isEmpty() ? null : connections.get(connections.size() - 1);
    }

    /** The next received frame with the given body, skipping heartbeats and others. */
    public Frame next(Frame.BodyCase body) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            Frame f = received.poll(100, TimeUnit.MILLISECONDS);
            if (f != null && f.getBodyCase() == body) return f;
        }
        throw new AssertionError("no " + body + " frame within 10 s");
    }

    /** Whether a frame of that type arrives within {@code millis} (other frames are dropped). */
    public Frame poll(Frame.BodyCase body, long millis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (System.nanoTime() < deadline) {
            Frame f = received.poll(10, TimeUnit.MILLISECONDS);
            if (f != null && f.getBodyCase() == body) return f;
        }
        return null;
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Conn c : connections) c.close();
        Files.deleteIfExists(socket);
    }

    public final class Conn {
        final SocketChannel ch;
        final BusFrameEncoder encoder = new BusFrameEncoder();
        final AtomicLong seq = new AtomicLong();
        public final List<Frame> frames = new CopyOnWriteArrayList<>();
        volatile boolean open = true;

        Conn(SocketChannel ch) {
            this.ch = ch;
        }

        void readLoop() {
            BusFrameDecoder decoder = new BusFrameDecoder();
            ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
            try {
                while (true) {
                    buf.clear();
                    if (ch.read(buf) < 0) break;
                    buf.flip();
                    List<Frame> got = new ArrayList<>();
                    decoder.feed(buf, r -> {
                        if (r instanceof DecodeResult.Decoded d) got.add(d.frame());
                    });
                    for (Frame f : got) {
                        frames.add(f);
                        received.add(f);
                        if (f.hasHello()) {
                            Frame answer = helloAnswer;
                            send(
                                    answer != null
                                            ? answer.toBuilder()
                                            : Frame.newBuilder()
                                                    .setWelcome(welcome.apply(Welcome.newBuilder()
                                                            .setVersion(1)
                                                            .setSessionId("s-" + connections.size())
                                                            .setHeartbeatIntervalMs(10_000)
                                                            .setMaxFrameBytes(1 << 20)
                                                            .setWindow(16))));
                        } else if (f.hasUserMessage() && autoAck) {
                            send(Frame.newBuilder()
                                    .setAck(Ack.newBuilder()
                                            .setMessageId(f.getUserMessage().getMessageId())));
                        }
                    }
                }
            } catch (IOException | RuntimeException e) {
                // connection ends
            } finally {
                close();
            }
        }

        public synchronized void send(Frame.Builder frame) {
            try {
                ByteBuffer out = ByteBuffer.wrap(
                        encoder.encode(frame.setSeq(seq.incrementAndGet()).build()));
                while (out.hasRemaining()) ch.write(out);
            } catch (IOException e) {
                close();
            }
        }

        public void close() {
            open = false;
            try {
                ch.close();
            } catch (IOException ignored) {
            }
        }
    }
}
