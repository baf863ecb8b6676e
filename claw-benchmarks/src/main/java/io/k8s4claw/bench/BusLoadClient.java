package io.k8s4claw.bench;

import com.google.protobuf.CodedOutputStream;
import io.k8s4claw.api.bus.BusFrames;
import io.k8s4claw.api.bus.v1.ChannelCapabilities;
import io.k8s4claw.api.bus.v1.Frame;
import io.k8s4claw.api.bus.v1.Sender;
import io.k8s4claw.api.bus.v1.UserMessage;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioDomainSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Load generator speaking the bus over a Unix socket with Netty. In {@code echo} mode a message is complete
 * when its frame comes back; in {@code bridge} mode when the Reply final for it arrives (it registers first,
 * and acks every reply like a real sidecar). Backpressure: a bounded number of messages in flight, and no
 * writes while the socket is unwritable.
 */
final class BusLoadClient implements AutoCloseable {

    enum Mode {
        ECHO,
        BRIDGE
    }

    private final Mode mode;
    private final MultiThreadIoEventLoopGroup group;
    private final Channel channel;
    private final EventLoop loop;
    private final BusFrames frames = new BusFrames();
    private final CountDownLatch welcomed = new CountDownLatch(1);
    private final String runId;
    private final byte[] padding;

    // event-loop state of the current run
    private int total;
    private int window;
    private int sent;
    private int inflight; // sent, final not yet received
    private int unacked; // sent, Ack not yet received (bridge mode): the protocol's window counts these
    private int completed;
    /** Added to a run's message indexes in ids, so that one client's runs never repeat an id (the bridge dedupes). */
    private long idBase;

    private long nextIdBase;
    private long[] sentAt;
    private long[] latencyNanos;
    private CountDownLatch done;

    static {
        checkReplyAckEncoding();
    }

    BusLoadClient(Path socket, Mode mode, String runId) throws Exception {
        this.mode = mode;
        this.runId = runId;
        this.padding = new byte[150];
        Arrays.fill(padding, (byte) 'x');
        boolean epoll = Epoll.isAvailable();
        group = new MultiThreadIoEventLoopGroup(1, epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        Bootstrap b = new Bootstrap()
                .group(group)
                .channel(epoll ? EpollDomainSocketChannel.class : NioDomainSocketChannel.class)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(256 << 10, 1 << 20))
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline()
                                .addLast(new LengthFieldBasedFrameDecoder(16 << 20, 0, 4, 0, 4))
                                .addLast(new Handler());
                    }
                });
        channel = b.connect(epoll ? new DomainSocketAddress(socket.toFile()) : UnixDomainSocketAddress.of(socket))
                .sync()
                .channel();
        loop = channel.eventLoop();
        if (mode == Mode.BRIDGE) {
            write(frames.hello(
                    "bench", "webhook", "bench-" + runId, 0, ChannelCapabilities.getDefaultInstance(), "bench"));
            channel.flush();
            if (!welcomed.await(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("no Welcome from the bridge");
            }
        }
    }

    /** Encodes straight into the outgoing buffer (no intermediate array), as a lean sidecar would. */
    private void write(Frame f) {
        int size = f.getSerializedSize();
        ByteBuf buf = channel.alloc().ioBuffer(4 + size);
        buf.writeInt(size);
        try {
            CodedOutputStream out = CodedOutputStream.newInstance(buf.internalNioBuffer(buf.writerIndex(), size));
            f.writeTo(out);
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        buf.writerIndex(buf.writerIndex() + size);
        channel.write(buf, channel.voidPromise());
    }

    private Frame message(int i) {
        return frames.userMessage(UserMessage.newBuilder()
                .setMessageId(runId + "-" + (idBase + i))
                .setConversationId("conv-" + (i % 4096))
                .setSender(Sender.newBuilder().setId("U1"))
                .setText(new String(padding, StandardCharsets.US_ASCII))
                .build());
    }

    /** Sends {@code n} messages keeping at most {@code window} in flight; returns messages per second. */
    double throughput(int n, int windowSize) throws InterruptedException {
        CountDownLatch latch = new CountDownLatch(1);
        long t0 = System.nanoTime();
        loop.execute(() -> {
            newIds(n);
            total = n;
            window = windowSize;
            sent = 0;
            inflight = 0;
            unacked = 0;
            completed = 0;
            sentAt = null;
            done = latch;
            pump();
        });
        if (!latch.await(10, TimeUnit.MINUTES)) {
            throw new IllegalStateException("throughput run did not finish");
        }
        return n / ((System.nanoTime() - t0) / 1e9);
    }

    /** Sends at a fixed rate and records send→completion latency of each message (nanoseconds). */
    long[] latency(int ratePerSecond, int n) throws InterruptedException {
        CountDownLatch latch = new CountDownLatch(1);
        long periodNanos = 1_000_000_000L / ratePerSecond;
        loop.execute(() -> {
            newIds(n);
            total = n;
            window = Integer.MAX_VALUE;
            sent = 0;
            inflight = 0;
            completed = 0;
            sentAt = new long[n];
            latencyNanos = new long[n];
            done = latch;
        });
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) {
            long due = start + i * periodNanos;
            long wait;
            while ((wait = due - System.nanoTime()) > 0) {
                if (wait > 200_000) {
                    Thread.sleep(0, 100_000);
                } else {
                    Thread.onSpinWait();
                }
            }
            int idx = i;
            loop.execute(() -> {
                sentAt[idx] = System.nanoTime();
                write(message(idx));
                channel.flush();
                sent++;
            });
        }
        if (!latch.await(2, TimeUnit.MINUTES)) {
            throw new IllegalStateException("latency run did not finish");
        }
        return latencyNanos;
    }

    /** Ids for a run of {@code n} messages after this client's earlier runs. On the event loop. */
    private void newIds(int n) {
        idBase = nextIdBase;
        nextIdBase += n;
    }

    private void pump() {
        int wrote = 0;
        while (sent < total && inflight < window && unacked < window && channel.isWritable()) {
            write(message(sent));
            sent++;
            inflight++;
            if (mode == Mode.BRIDGE) {
                unacked++;
            }
            wrote++;
        }
        if (wrote > 0) {
            channel.flush();
        }
    }

    private void complete(int index) {
        completed++;
        inflight--;
        if (sentAt != null && index >= 0 && index < sentAt.length) {
            latencyNanos[index] = System.nanoTime() - sentAt[index];
        }
        if (completed == total) {
            done.countDown();
        } else if (sentAt == null) {
            pump();
        }
    }

    private int indexOf(String id) {
        int dash = id.lastIndexOf('-');
        return dash < 0 ? -1 : (int) (Long.parseLong(id.substring(dash + 1)) - idBase);
    }

    /**
     * The bridge's two per-message frames read the way the echo mode reads its echoes — without building protobuf
     * objects — so that the relay line does not pay for a heavier client than the ceiling's: an {@code Ack}
     * counts, a {@code Reply} is answered with a hand-encoded {@code ReplyAck} (checked once against protobuf's
     * own bytes, {@link #checkReplyAckEncoding}) and, when final, completes its message. Anything else returns
     * false and is parsed in full.
     */
    private boolean leanBridgeFrame(ByteBuf buf) {
        int at = buf.readerIndex();
        int end = buf.writerIndex();
        long tag = 0;
        while (at < end) {
            long t = buf.getByte(at) & 0xFF;
            if (t == 8) { // seq
                at = skipVarint(buf, at + 1);
                continue;
            }
            tag = t;
            at++;
            break;
        }
        if (tag == (13 << 3 | 2)) { // ack
            unacked--;
            if (sentAt == null && done != null) {
                pump();
            }
            return true;
        }
        if (tag != (15 << 3 | 2)) { // not a reply
            return false;
        }
        long[] v = new long[1];
        at = varint(buf, at, v); // the reply's length: it runs to the end of the frame
        long replySeq = 0;
        boolean isFinal = false;
        int idStart = -1;
        int idEnd = -1;
        while (at < end) {
            int t = buf.getByte(at++) & 0xFF;
            if (t >= 0x80) {
                return false; // a field number above 15 (a two-byte tag): not one of these
            }
            int field = t >>> 3;
            if ((t & 7) == 0) {
                at = varint(buf, at, v);
                if (field == 1) {
                    replySeq = v[0];
                }
            } else if ((t & 7) == 2) {
                at = varint(buf, at, v);
                if (field == 3) {
                    idStart = at;
                    idEnd = at + (int) v[0];
                }
                isFinal |= field == 12;
                at += (int) v[0];
            } else {
                return false;
            }
        }
        writeReplyAck(replySeq);
        if (isFinal) {
            complete(sentAt == null ? -1 : indexIn(buf, idStart, idEnd));
        }
        return true;
    }

    private static int skipVarint(ByteBuf buf, int at) {
        while (buf.getByte(at) < 0) {
            at++;
        }
        return at + 1;
    }

    private static int varint(ByteBuf buf, int at, long[] out) {
        long value = 0;
        for (int shift = 0; ; shift += 7) {
            byte b = buf.getByte(at++);
            value |= (long) (b & 0x7F) << shift;
            if (b >= 0) {
                out[0] = value;
                return at;
            }
        }
    }

    /** The number after the last '-' of a message id (ASCII), without making a String of it. */
    private int indexIn(ByteBuf buf, int from, int to) {
        long n = 0;
        long scale = 1;
        for (int i = to - 1; i >= from; i--) {
            byte b = buf.getByte(i);
            if (b == '-') {
                break;
            }
            n += (b - '0') * scale;
            scale *= 10;
        }
        return (int) (n - idBase);
    }

    /** {@code frames.replyAck(replySeq, true, "", false, List.of("p"))}, encoded by hand. */
    private void writeReplyAck(long replySeq) {
        ByteBuf out = channel.alloc().ioBuffer(32);
        encodeReplyAck(out, frames.nextSeq(), replySeq);
        channel.write(out, channel.voidPromise());
    }

    private static void encodeReplyAck(ByteBuf out, long seq, long replySeq) {
        int ack = 1 + varintSize(replySeq) + 2 + 3; // reply_seq, ok=true, platform_message_ids=["p"]
        int size = 1 + varintSize(seq) + 2 + varintSize(ack) + ack; // field 16's tag takes two bytes
        out.writeInt(size);
        out.writeByte(8);
        writeVarint(out, seq);
        writeVarint(out, 16 << 3 | 2);
        writeVarint(out, ack);
        out.writeByte(8);
        writeVarint(out, replySeq);
        out.writeByte(16).writeByte(1);
        out.writeByte(3 << 3 | 2).writeByte(1).writeByte('p');
    }

    private static int varintSize(long v) {
        return CodedOutputStream.computeUInt64SizeNoTag(v);
    }

    private static void writeVarint(ByteBuf out, long v) {
        while ((v & ~0x7FL) != 0) {
            out.writeByte((int) (v & 0x7F) | 0x80);
            v >>>= 7;
        }
        out.writeByte((int) v);
    }

    /** Fails at once if the hand-encoded ReplyAck ever differs from protobuf's bytes. */
    static void checkReplyAckEncoding() {
        BusFrames f = new BusFrames();
        for (long replySeq : new long[] {1, 127, 128, 300_000, Long.MAX_VALUE}) {
            Frame expected = f.replyAck(replySeq, true, "", false, List.of("p"));
            ByteBuf out = Unpooled.buffer();
            encodeReplyAck(out, expected.getSeq(), replySeq);
            byte[] got = new byte[out.readableBytes()];
            out.readBytes(got);
            byte[] body = expected.toByteArray();
            byte[] want = ByteBuffer.allocate(4 + body.length)
                    .putInt(body.length)
                    .put(body)
                    .array();
            if (!Arrays.equals(got, want)) {
                throw new IllegalStateException(
                        "hand-encoded ReplyAck differs from protobuf's for reply_seq " + replySeq);
            }
        }
    }

    private final class Handler extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) throws IOException {
            ByteBuf buf = (ByteBuf) msg;
            try {
                if (mode == Mode.ECHO && sentAt == null) {
                    complete(-1); // throughput: no need to parse the echo
                    return;
                }
                if (mode == Mode.BRIDGE && welcomed.getCount() == 0 && leanBridgeFrame(buf)) {
                    return;
                }
                // parsed from the buffer's memory in place: the generator's own cost stays small next to the server's
                Frame f = Frame.parseFrom(buf.nioBuffer());
                switch (f.getBodyCase()) {
                    case WELCOME -> welcomed.countDown();
                    case ACK -> {
                        unacked--;
                        if (sentAt == null && done != null) {
                            pump();
                        }
                    }
                    case USER_MESSAGE -> complete(indexOf(f.getUserMessage().getMessageId())); // echo
                    case REPLY -> {
                        write(frames.replyAck(f.getReply().getReplySeq(), true, "", false, List.of("p")));
                        if (f.getReply().hasFinal()) {
                            complete(indexOf(f.getReply().getInReplyTo()));
                        }
                    }
                    case NACK -> throw new IllegalStateException("bridge refused a message: " + f.getNack());
                    default -> {}
                }
            } finally {
                buf.release();
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            if (ctx.channel().isWritable() && sentAt == null && done != null) {
                pump();
            }
        }
    }

    @Override
    public void close() {
        channel.close().awaitUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
    }
}
