package io.k8s4claw.bridge.testing;

import io.k8s4claw.api.bus.BusFrameDecoder;
import io.k8s4claw.api.bus.BusFrameEncoder;
import io.k8s4claw.api.bus.BusFrames;
import io.k8s4claw.api.bus.BusFramingException;
import io.k8s4claw.api.bus.DecodeResult;
import io.k8s4claw.api.bus.v1.ChannelCapabilities;
import io.k8s4claw.api.bus.v1.Frame;
import io.k8s4claw.api.bus.v1.Sender;
import io.k8s4claw.api.bus.v1.UserMessage;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A minimal channel sidecar for tests: speaks the bus over a JDK SocketChannel (Unix or TCP) with the
 * claw-api codec, collects every frame the bridge sends.
 */
public final class TestSidecar implements AutoCloseable {

    private final SocketChannel socket;
    private final BusFrameEncoder encoder = new BusFrameEncoder(16 << 20);
    private final BusFrames frames = new BusFrames();
    private final BlockingQueue<Frame> received = new LinkedBlockingQueue<>();
    private final Thread reader;
    private volatile boolean closedByPeer;

    private TestSidecar(SocketChannel socket) {
        this.socket = socket;
        this.reader = new Thread(this::readLoop, "test-sidecar-reader");
        this.reader.setDaemon(true);
        this.reader.start();
    }

    public static TestSidecar connect(Path socketPath) throws IOException {
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        ch.connect(UnixDomainSocketAddress.of(socketPath));
        return new TestSidecar(ch);
    }

    public static TestSidecar connectTcp(int port) throws IOException {
        SocketAddress a = new InetSocketAddress("127.0.0.1", port);
        return new TestSidecar(SocketChannel.open(a));
    }

    private void readLoop() {
        BusFrameDecoder decoder = new BusFrameDecoder(16 << 20);
        ByteBuffer buf = ByteBuffer.allocate(64 << 10);
        try {
            while (true) {
                buf.clear();
                int n = socket.read(buf);
                if (n < 0) {
                    break;
                }
                buf.flip();
                decoder.feed(buf, r -> {
                    if (r instanceof DecodeResult.Decoded d) {
                        received.add(d.frame());
                    }
                });
            }
        } catch (IOException | BusFramingException e) {
            // closed
        }
        closedByPeer = true;
    }

    public BusFrames frames() {
        return frames;
    }

    public void send(Frame f) throws IOException {
        writeRaw(encoder.encode(f));
    }

    public synchronized void writeRaw(byte[] bytes) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        while (b.hasRemaining()) {
            socket.write(b);
        }
    }

    public Frame hello(String channel, long lastReplySeq) throws IOException, InterruptedException {
        send(frames.hello(
                channel,
                "webhook",
                "test-" + channel,
                lastReplySeq,
                ChannelCapabilities.newBuilder().setSupportsEdit(true).build(),
                "test"));
        return await(f -> f.hasWelcome() || f.hasError(), Duration.ofSeconds(10));
    }

    public void sendMessage(String id, String conversation, String text) throws IOException {
        send(frames.userMessage(message(id, conversation, text)));
    }

    public static UserMessage message(String id, String conversation, String text) {
        return UserMessage.newBuilder()
                .setMessageId(id)
                .setConversationId(conversation)
                .setSender(Sender.newBuilder().setId("U1").setDisplayName("User"))
                .setText(text)
                .build();
    }

    /** Waits for (and removes) the first received frame matching {@code p}; earlier non-matching frames stay. */
    public Frame await(Predicate<Frame> p, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            for (Frame f : received) {
                if (p.test(f)) {
                    received.remove(f);
                    return f;
                }
            }
            Thread.sleep(5);
        }
        throw new AssertionError("no matching frame within " + timeout + "; received: " + List.copyOf(received));
    }

    /** Removes and returns everything received so far. */
    public List<Frame> drainReceived() {
        List<Frame> out = new ArrayList<>();
        received.drainTo(out);
        return out;
    }

    public Frame poll(Duration timeout) throws InterruptedException {
        return received.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    public boolean closedByPeer() {
        return closedByPeer;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
