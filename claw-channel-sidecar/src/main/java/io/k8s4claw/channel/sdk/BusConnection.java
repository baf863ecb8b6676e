package io.k8s4claw.channel.sdk;

import io.k8s4claw.api.bus.BusFrameDecoder;
import io.k8s4claw.api.bus.BusFrameEncoder;
import io.k8s4claw.api.bus.BusFramingException;
import io.k8s4claw.api.bus.DecodeResult;
import io.k8s4claw.api.bus.v1.Error;
import io.k8s4claw.api.bus.v1.Frame;
import java.io.IOException;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One bus connection over a blocking JDK {@link SocketChannel} (Unix domain socket): frames written
 * under a lock (any thread), frames read by the one reader thread. The framing is claw-api's
 * {@link BusFrameEncoder}/{@link BusFrameDecoder}.
 */
final class BusConnection implements AutoCloseable {
    private final SocketChannel channel;
    private final BusFrameEncoder encoder;
    private final BusFrameDecoder decoder;
    private final ReentrantLock writeLock = new ReentrantLock();
    private final ByteBuffer readBuffer = ByteBuffer.allocate(64 * 1024);
    private final ArrayDeque<Frame> decoded = new ArrayDeque<>();
    private final AtomicLong seq = new AtomicLong();
    private volatile long lastReadNanos = System.nanoTime();
    private volatile boolean registered;

    private BusConnection(SocketChannel channel, int maxFrameBytes) {
        this.channel = channel;
        this.encoder = new BusFrameEncoder(maxFrameBytes);
        this.decoder = new BusFrameDecoder(maxFrameBytes);
    }

    static BusConnection open(SocketAddress address, int maxFrameBytes) throws IOException {
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            ch.connect(address);
        } catch (IOException e) {
            ch.close();
            throw e;
        }
        return new BusConnection(ch, maxFrameBytes);
    }

    void markRegistered(int maxFrameBytes) {
        encoder.setMaxFrameBytes(maxFrameBytes);
        decoder.setMaxFrameBytes(maxFrameBytes);
        registered = true;
    }

    boolean registered() {
        return registered;
    }

    int maxFrameBytes() {
        return encoder.maxFrameBytes();
    }

    long millisSinceLastRead() {
        return (System.nanoTime() - lastReadNanos) / 1_000_000;
    }

    void send(Frame.Builder frame) throws IOException {
        sendAll(List.of(frame));
    }

    /** Numbers and writes the frames in order, in one write where possible. */
    void sendAll(List<Frame.Builder> frames) throws IOException {
        writeLock.lock();
        try {
            Frame[] built = new Frame[frames.size()];
            int total = 0;
            for (int i = 0; i < built.length; i++) {
                built[i] = frames.get(i).setSeq(seq.incrementAndGet()).build();
                total += encoder.encodedSize(built[i]);
            }
            ByteBuffer out = ByteBuffer.allocate(total);
            for (Frame f : built) encoder.encode(f, out);
            out.flip();
            while (out.hasRemaining()) channel.write(out);
        } catch (BusFramingException e) {
            throw new IOException(e.getMessage(), e);
        } finally {
            writeLock.unlock();
        }
    }

    /**
     * The next frame, or null when the bridge closed the stream cleanly. Malformed frames (the framing
     * intact) are answered with {@code Error{MALFORMED_FRAME}} and skipped; broken framing throws.
     */
    Frame read() throws IOException {
        while (decoded.isEmpty()) {
            readBuffer.clear();
            int n = channel.read(readBuffer);
            if (n < 0) {
                try {
                    decoder.endOfStream();
                } catch (BusFramingException e) {
                    throw new IOException(e.getMessage(), e);
                }
                return null;
            }
            lastReadNanos = System.nanoTime();
            readBuffer.flip();
            try {
                decoder.feed(readBuffer, this::accept);
            } catch (BusFramingException e) {
                try {
                    send(Frame.newBuilder()
                            .setError(Error.newBuilder()
                                    .setCode(e.kind().errorCode())
                                    .setMessage(e.getMessage())
                                    .setFatal(true)));
                } catch (IOException ignored) {
                    // closing anyway
                }
                throw new IOException(e.getMessage(), e);
            }
        }
        return decoded.poll();
    }

    private void accept(DecodeResult r) {
        switch (r) {
            case DecodeResult.Decoded d -> decoded.add(d.frame());
            case DecodeResult.Malformed m -> {
                try {
                    send(Frame.newBuilder()
                            .setError(Error.newBuilder()
                                    .setCode(Error.Code.MALFORMED_FRAME)
                                    .setMessage(m.reason())));
                } catch (IOException ignored) {
                    // the read loop notices the broken connection
                }
            }
        }
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // nothing left to do
        }
    }
}
