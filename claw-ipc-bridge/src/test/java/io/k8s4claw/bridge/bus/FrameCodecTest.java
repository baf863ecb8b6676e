package io.k8s4claw.bridge.bus;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import io.k8s4claw.api.bus.DecodeResult;
import io.k8s4claw.api.bus.v1.Ack;
import io.k8s4claw.api.bus.v1.Attachment;
import io.k8s4claw.api.bus.v1.ChatType;
import io.k8s4claw.api.bus.v1.Frame;
import io.k8s4claw.api.bus.v1.Heartbeat;
import io.k8s4claw.api.bus.v1.Reply;
import io.k8s4claw.api.bus.v1.ReplyAck;
import io.k8s4claw.api.bus.v1.ReplyDelta;
import io.k8s4claw.api.bus.v1.ReplyError;
import io.k8s4claw.api.bus.v1.ReplyFinal;
import io.k8s4claw.api.bus.v1.Sender;
import io.k8s4claw.api.bus.v1.UserMessage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The bus codec's hand-written fast paths against protobuf's own serialization. */
class FrameCodecTest {

    private static final long[] SEQS = {0, 1, 127, 128, 300, 16_383, 16_384, Long.MAX_VALUE, -1L /* uint64 max */};

    // ------------------------------------------------------------------ helpers

    /** The bus framing of {@code body}: a 4-byte big-endian length, then the body. */
    private static byte[] framed(byte[] body) {
        return ByteBuffer.allocate(4 + body.length)
                .putInt(body.length)
                .put(body)
                .array();
    }

    private static byte[] framed(Frame frame) {
        return framed(frame.toByteArray());
    }

    private static byte[] bytes(ByteBuf buf) {
        try {
            return ByteBufUtil.getBytes(buf, buf.readerIndex(), buf.readableBytes());
        } finally {
            buf.release();
        }
    }

    private static String repeat(String s, int minChars) {
        StringBuilder b = new StringBuilder();
        while (b.length() < minChars) {
            b.append(s);
        }
        return b.toString();
    }

    private static List<Reply> replies() {
        Reply.Builder base = Reply.newBuilder()
                .setStreamId("run-1")
                .setInReplyTo("m-1")
                .setConversationId("C1")
                .setThreadId("T1");
        List<Reply> out = new ArrayList<>();
        out.add(base.clone()
                .setReplySeq(1)
                .setFinal(ReplyFinal.newBuilder().setText("hello").setFormat("plain"))
                .build());
        out.add(base.clone()
                .setReplySeq(2)
                .setFinal(ReplyFinal.newBuilder().setText("grüße, €, 日本語, \uD83D\uDE00"))
                .build());
        out.add(base.clone()
                .setReplySeq(3)
                .setDelta(ReplyDelta.newBuilder().setText("partial"))
                .build());
        out.add(base.clone()
                .setReplySeq(4)
                .setError(ReplyError.newBuilder().setCode("run_failed").setUserVisibleText("sorry ✗"))
                .build());
        out.add(Reply.getDefaultInstance()); // an empty body: zero-length reply field
        // bodies whose length varint takes 2 bytes (> 127) and 3 bytes (> 16383)
        out.add(base.clone()
                .setReplySeq(5)
                .setFinal(ReplyFinal.newBuilder().setText(repeat("x", 200)))
                .build());
        out.add(base.clone()
                .setReplySeq(Long.MAX_VALUE)
                .setFinal(ReplyFinal.newBuilder().setText(repeat("long reply é€\uD83D\uDE00 ", 20_000)))
                .build());
        return out;
    }

    private static UserMessage userMessage(String text) {
        return UserMessage.newBuilder()
                .setMessageId("m-" + text.length())
                .setConversationId("C1")
                .setThreadId("t")
                .setSender(Sender.newBuilder().setId("U1").setDisplayName("Zoë").setIsBot(false))
                .setText(text)
                .setPlatformMessageId("p-1")
                .addAttachments(Attachment.newBuilder()
                        .setName("a.png")
                        .setMimeType("image/png")
                        .setSizeBytes(12)
                        .setRef("https://example/a.png"))
                .putMetadata("team", "T42")
                .setSentAtUnixMs(1_700_000_000_000L)
                .setChatType(ChatType.GROUP)
                .build();
    }

    // ------------------------------------------------------------------ encoder

    @Test
    void encodedReplyFrameIsByteForByteWhatProtobufSerializes() throws Exception {
        int checked = 0;
        for (Reply reply : replies()) {
            byte[] replyBytes = reply.toByteArray();
            for (long seq : SEQS) {
                byte[] expected =
                        framed(Frame.newBuilder().setSeq(seq).setReply(reply).build());
                ByteBuf buf = Unpooled.buffer(0);
                NettyFrameEncoder.encodeTo(new EncodedReplyFrame(seq, replyBytes), buf);
                assertThat(bytes(buf))
                        .as("seq %d, reply of %d bytes", seq, replyBytes.length)
                        .isEqualTo(expected);
                // the result also parses back to the same frame
                Frame back = Frame.parseFrom(ByteBuffer.wrap(expected, 4, expected.length - 4));
                assertThat(back.getSeq()).isEqualTo(seq);
                assertThat(back.getReply()).isEqualTo(reply);
                checked++;
            }
        }
        assertThat(checked).isEqualTo(replies().size() * SEQS.length);
        assertThat(replies())
                .anySatisfy(r -> assertThat(r.getSerializedSize()).isGreaterThan(16_384))
                .anySatisfy(r -> assertThat(r.getSerializedSize()).isBetween(128, 16_383));
    }

    @Test
    void ackFrameIsByteForByteWhatProtobufSerializes() throws Exception {
        int checked = 0;
        for (String id :
                List.of("", "m-1", "1700000000.000100", "grüße € \uD83D\uDE00", repeat("id", 70), repeat("é", 9_000))) {
            for (long seq : SEQS) {
                for (boolean duplicate : new boolean[] {false, true}) {
                    Frame frame = Frame.newBuilder()
                            .setSeq(seq)
                            .setAck(Ack.newBuilder().setMessageId(id).setDuplicate(duplicate))
                            .build();
                    ByteBuf buf = Unpooled.directBuffer(0);
                    buf.writeByte(7); // appends after what the buffer holds
                    NettyFrameEncoder.encodeTo(new AckFrame(seq, id, duplicate), buf);
                    assertThat(buf.readByte()).isEqualTo((byte) 7);
                    assertThat(bytes(buf))
                            .as("seq %d, id of %d chars, duplicate %s", seq, id.length(), duplicate)
                            .isEqualTo(framed(frame));
                    checked++;
                }
            }
        }
        assertThat(checked).isEqualTo(6 * SEQS.length * 2);
    }

    @Test
    void encodedReplyFrameAppendsAfterWhatTheBufferAlreadyHolds() throws Exception {
        Reply reply = replies().get(1);
        ByteBuf buf = Unpooled.directBuffer(8);
        buf.writeBytes(new byte[] {9, 9, 9});
        NettyFrameEncoder.encodeTo(new EncodedReplyFrame(300, reply.toByteArray()), buf);
        NettyFrameEncoder.encodeTo(new EncodedReplyFrame(301, reply.toByteArray()), buf);
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        expected.write(new byte[] {9, 9, 9});
        expected.write(framed(Frame.newBuilder().setSeq(300).setReply(reply).build()));
        expected.write(framed(Frame.newBuilder().setSeq(301).setReply(reply).build()));
        assertThat(bytes(buf)).isEqualTo(expected.toByteArray());
    }

    private static List<Frame> frames() {
        List<Frame> out = new ArrayList<>();
        out.add(Frame.newBuilder().setSeq(1).setUserMessage(userMessage("hi")).build());
        out.add(Frame.newBuilder()
                .setSeq(128)
                .setHeartbeat(Heartbeat.newBuilder().setNonce(7).setResponse(true))
                .build());
        out.add(Frame.newBuilder()
                .setReplyAck(ReplyAck.newBuilder()
                        .setReplySeq(Long.MAX_VALUE)
                        .setOk(true)
                        .addPlatformMessageIds("ts-1"))
                .build());
        for (Reply r : replies()) {
            out.add(Frame.newBuilder().setSeq(300).setReply(r).build());
        }
        out.add(Frame.newBuilder()
                .setSeq(Long.MAX_VALUE)
                .setUserMessage(userMessage(repeat("text é€\uD83D\uDE00 ", 5_000)))
                .build());
        return out;
    }

    @Test
    void frameEncodesTheSameIntoHeapDirectAndCompositeBuffers() throws Exception {
        for (Frame frame : frames()) {
            byte[] expected = framed(frame);
            String what = "frame of " + frame.getSerializedSize() + " bytes, body " + frame.getBodyCase();

            ByteBuf heap = Unpooled.buffer(0);
            NettyFrameEncoder.encodeTo(frame, heap);
            assertThat(bytes(heap)).as("heap: " + what).isEqualTo(expected);

            ByteBuf direct = Unpooled.directBuffer(0);
            NettyFrameEncoder.encodeTo(frame, direct);
            assertThat(bytes(direct)).as("direct: " + what).isEqualTo(expected);

            // after other bytes, in a buffer already big enough (no reallocation)
            ByteBuf offset = Unpooled.directBuffer(expected.length + 16);
            offset.writeBytes(new byte[] {1, 2, 3, 4, 5});
            offset.readerIndex(2);
            NettyFrameEncoder.encodeTo(frame, offset);
            byte[] got = bytes(offset);
            assertThat(got).as("direct with offset: " + what).startsWith(3, 4, 5);
            assertThat(Arrays.copyOfRange(got, 3, got.length))
                    .as("direct with offset: " + what)
                    .isEqualTo(expected);

            // an empty composite grows by one component: the single-nio-buffer path
            CompositeByteBuf emptyComposite = Unpooled.compositeBuffer();
            NettyFrameEncoder.encodeTo(frame, emptyComposite);
            assertThat(bytes(emptyComposite)).as("empty composite: " + what).isEqualTo(expected);

            // writable space spread over several components: the stream path, writing across boundaries
            CompositeByteBuf split = Unpooled.compositeBuffer();
            int part = Math.max(1, (expected.length + 2) / 3);
            for (int i = 0; i < 3; i++) {
                ByteBuf component = (i % 2 == 0 ? Unpooled.buffer(part) : Unpooled.directBuffer(part));
                component.writerIndex(part);
                split.addComponent(false, component);
            }
            split.writerIndex(0);
            assertThat(split.nioBufferCount()).isGreaterThan(1);
            NettyFrameEncoder.encodeTo(frame, split);
            assertThat(bytes(split)).as("split composite: " + what).isEqualTo(expected);

            // a composite already holding a full component: ensureWritable adds a second one
            CompositeByteBuf full = Unpooled.compositeBuffer();
            full.addComponent(true, Unpooled.wrappedBuffer(new byte[] {7, 7}));
            NettyFrameEncoder.encodeTo(frame, full);
            got = bytes(full);
            assertThat(Arrays.copyOfRange(got, 0, 2)).isEqualTo(new byte[] {7, 7});
            assertThat(Arrays.copyOfRange(got, 2, got.length))
                    .as("appended composite: " + what)
                    .isEqualTo(expected);
        }
    }

    @Test
    void encoderOnAChannelWritesBothKindsInOrder() throws Exception {
        Reply reply = replies().get(0);
        Frame ack = frames().get(2);
        EmbeddedChannel ch = new EmbeddedChannel(NettyFrameEncoder.INSTANCE);
        ch.writeOutbound(new EncodedReplyFrame(5, reply.toByteArray()), ack);
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        for (ByteBuf b = ch.readOutbound(); b != null; b = ch.readOutbound()) {
            got.write(bytes(b));
        }
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        expected.write(framed(Frame.newBuilder().setSeq(5).setReply(reply).build()));
        expected.write(framed(ack));
        assertThat(got.toByteArray()).isEqualTo(expected.toByteArray());
        assertThat(ch.finish()).isFalse();
    }

    // ------------------------------------------------------------------ decoder fast path

    @Test
    void userMessageFastPathReturnsSeqMessageAndItsBytes() throws Exception {
        for (long seq : SEQS) {
            for (UserMessage m : List.of(
                    userMessage("hello"),
                    userMessage("grüße € \uD83D\uDE00"),
                    userMessage(repeat("y", 20_000)),
                    UserMessage.getDefaultInstance())) {
                byte[] body =
                        Frame.newBuilder().setSeq(seq).setUserMessage(m).build().toByteArray();
                UserMessageFrame f = NettyFrameDecoder.userMessage(ByteBuffer.wrap(body));
                assertThat(f).as("seq %d", seq).isNotNull();
                assertThat(f.seq()).isEqualTo(seq);
                assertThat(f.message()).isEqualTo(m);
                assertThat(f.bytes()).isEqualTo(m.toByteArray());
                assertThat(UserMessage.parseFrom(f.bytes())).isEqualTo(m);
            }
        }
    }

    @Test
    void userMessageFastPathReadsFromADirectBufferAndAnOffsetHeapBuffer() throws Exception {
        UserMessage m = userMessage("direct");
        byte[] body = Frame.newBuilder().setSeq(42).setUserMessage(m).build().toByteArray();
        ByteBuffer direct = ByteBuffer.allocateDirect(body.length).put(body).flip();
        UserMessageFrame f = NettyFrameDecoder.userMessage(direct);
        assertThat(f).isNotNull();
        assertThat(f.seq()).isEqualTo(42);
        assertThat(f.message()).isEqualTo(m);

        byte[] padded = new byte[body.length + 10];
        System.arraycopy(body, 0, padded, 5, body.length);
        ByteBuffer slice = ByteBuffer.wrap(padded, 5, body.length).slice();
        f = NettyFrameDecoder.userMessage(slice);
        assertThat(f).isNotNull();
        assertThat(f.bytes()).isEqualTo(m.toByteArray());
    }

    @Test
    void userMessageFastPathReadsInPlaceAtAnIndexOfADirectBuffer() throws Exception {
        UserMessage m = userMessage("in place");
        byte[] body = Frame.newBuilder().setSeq(300).setUserMessage(m).build().toByteArray();
        ByteBuf buf =
                Unpooled.directBuffer().writeBytes(new byte[7]).writeBytes(body).writeBytes(new byte[] {1, 2, 3});
        try {
            UserMessageFrame f = NettyFrameDecoder.userMessage(buf, 7, body.length);
            assertThat(f).isNotNull();
            assertThat(f.seq()).isEqualTo(300);
            assertThat(f.message()).isEqualTo(m);
            assertThat(f.bytes()).isEqualTo(m.toByteArray());
            // the bytes around the frame are not read: one byte short of the frame is a truncated frame
            assertThat(NettyFrameDecoder.userMessage(buf, 7, body.length - 1)).isNull();
        } finally {
            buf.release();
        }
    }

    @Test
    void userMessageFastPathReadsOverLongVarintsAsProtobufDoesAndDeclinesOverruns() throws Exception {
        UserMessage m = userMessage("x");
        byte[] message = Frame.newBuilder().setUserMessage(m).build().toByteArray();
        byte[] inner = m.toByteArray();
        // seq 5 in two bytes instead of one, then the message's length in two bytes: legal, though protobuf
        // never writes them so
        byte[] overLong =
                concat(new byte[] {0x08, (byte) 0x85, 0x00, message[0], (byte) (0x80 | inner.length), 0x00}, inner);
        assertThat(Frame.parseFrom(overLong).getSeq()).isEqualTo(5);
        assertThat(Frame.parseFrom(overLong).getUserMessage()).isEqualTo(m);
        UserMessageFrame f = NettyFrameDecoder.userMessage(ByteBuffer.wrap(overLong));
        assertThat(f).isNotNull();
        assertThat(f.seq()).isEqualTo(5);
        assertThat(f.message()).isEqualTo(m);
        assertThat(f.bytes()).isEqualTo(inner);
        // a message length past the end of the frame, and a varint running past it
        assertThat(NettyFrameDecoder.userMessage(ByteBuffer.wrap(new byte[] {0x08, 0x01, message[0], 0x7F, 0x0A})))
                .isNull();
        assertThat(NettyFrameDecoder.userMessage(ByteBuffer.wrap(new byte[] {0x08, (byte) 0x80})))
                .isNull();
    }

    @Test
    void userMessageFastPathDeclinesEverythingElse() throws Exception {
        UserMessage m = userMessage("x");
        byte[] good = Frame.newBuilder().setSeq(3).setUserMessage(m).build().toByteArray();
        assertThat(NettyFrameDecoder.userMessage(ByteBuffer.wrap(good))).isNotNull(); // the control case

        // another body
        byte[] replyAck = Frame.newBuilder()
                .setSeq(3)
                .setReplyAck(ReplyAck.newBuilder().setReplySeq(9).setOk(true))
                .build()
                .toByteArray();
        assertThat(NettyFrameDecoder.userMessage(ByteBuffer.wrap(replyAck))).isNull();
        // only a seq
        assertThat(NettyFrameDecoder.userMessage(
                        ByteBuffer.wrap(Frame.newBuilder().setSeq(3).build().toByteArray())))
                .isNull();
        // user_message plus an unknown field (after it, and before it)
        ByteArrayOutputStream unknownAfter = new ByteArrayOutputStream();
        CodedOutputStream cos = CodedOutputStream.newInstance(unknownAfter);
        cos.writeUInt64(1, 3);
        cos.writeByteArray(Frame.USER_MESSAGE_FIELD_NUMBER, m.toByteArray());
        cos.writeString(99, "from a newer peer");
        cos.flush();
        assertThat(Frame.parseFrom(unknownAfter.toByteArray()).hasUserMessage()).isTrue();
        assertThat(NettyFrameDecoder.userMessage(ByteBuffer.wrap(unknownAfter.toByteArray())))
                .isNull();
        ByteArrayOutputStream unknownBefore = new ByteArrayOutputStream();
        cos = CodedOutputStream.newInstance(unknownBefore);
        cos.writeUInt64(98, 1);
        cos.writeUInt64(1, 3);
        cos.writeByteArray(Frame.USER_MESSAGE_FIELD_NUMBER, m.toByteArray());
        cos.flush();
        assertThat(NettyFrameDecoder.userMessage(ByteBuffer.wrap(unknownBefore.toByteArray())))
                .isNull();
        // user_message followed by another body (the last one wins in protobuf)
        byte[] thenAck = concat(
                good,
                Frame.newBuilder()
                        .setReplyAck(ReplyAck.newBuilder().setReplySeq(1))
                        .build()
                        .toByteArray());
        assertThat(Frame.parseFrom(thenAck).hasReplyAck()).isTrue();
        assertThat(NettyFrameDecoder.userMessage(ByteBuffer.wrap(thenAck))).isNull();
        // user_message twice (protobuf merges the two)
        byte[] twice = concat(
                good,
                Frame.newBuilder()
                        .setUserMessage(UserMessage.newBuilder().setText("more"))
                        .build()
                        .toByteArray());
        assertThat(NettyFrameDecoder.userMessage(ByteBuffer.wrap(twice))).isNull();
        // truncated at every length short of the whole frame
        for (int n = 0; n < good.length; n++) {
            assertThat(NettyFrameDecoder.userMessage(ByteBuffer.wrap(good, 0, n)))
                    .as("first %d bytes", n)
                    .isNull();
        }
        // garbage
        assertThat(NettyFrameDecoder.userMessage(ByteBuffer.wrap(new byte[] {
                    (byte) 0xFF,
                    (byte) 0xFF,
                    (byte) 0xFF,
                    (byte) 0xFF,
                    (byte) 0xFF,
                    (byte) 0xFF,
                    (byte) 0xFF,
                    (byte) 0xFF,
                    (byte) 0xFF,
                    (byte) 0xFF,
                    (byte) 0xFF
                })))
                .isNull();
        assertThat(NettyFrameDecoder.userMessage(ByteBuffer.wrap("not a protobuf".getBytes())))
                .isNull();
        // user_message whose bytes are not a UserMessage (a group-end tag inside)
        byte[] badInner = Frame.newBuilder().setSeq(1).build().toByteArray();
        badInner = concat(badInner, new byte[] {(byte) (Frame.USER_MESSAGE_FIELD_NUMBER << 3 | 2), 2, 0x0C, 0x01});
        assertThat(NettyFrameDecoder.userMessage(ByteBuffer.wrap(badInner))).isNull();
    }

    @Test
    void userMessageWithInvalidUtf8IsLeftToTheGeneralPath() throws Exception {
        // UserMessage{message_id: <0xC3 0x28>} : 0xC3 starts a 2-byte sequence that 0x28 does not continue
        byte[] inner = {(byte) (UserMessage.MESSAGE_ID_FIELD_NUMBER << 3 | 2), 2, (byte) 0xC3, 0x28};
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        CodedOutputStream cos = CodedOutputStream.newInstance(body);
        cos.writeUInt64(1, 7);
        cos.writeByteArray(Frame.USER_MESSAGE_FIELD_NUMBER, inner);
        cos.flush();
        byte[] bad = body.toByteArray();
        assertThat(NettyFrameDecoder.userMessage(ByteBuffer.wrap(bad))).isNull();
        // and the general path reports it as malformed (the fast path did not hide a valid frame)
        EmbeddedChannel ch = new EmbeddedChannel(new NettyFrameDecoder(1 << 20));
        ch.writeInbound(Unpooled.wrappedBuffer(framed(bad)));
        Object out = ch.readInbound();
        assertThat(out).isInstanceOf(DecodeResult.Malformed.class);
        assertThat(((DecodeResult.Malformed) out).reason()).contains("UTF-8");

        // the same with valid UTF-8 takes the fast path
        byte[] okInner = {(byte) (UserMessage.MESSAGE_ID_FIELD_NUMBER << 3 | 2), 2, (byte) 0xC3, (byte) 0xA9};
        ByteArrayOutputStream okBody = new ByteArrayOutputStream();
        cos = CodedOutputStream.newInstance(okBody);
        cos.writeUInt64(1, 7);
        cos.writeByteArray(Frame.USER_MESSAGE_FIELD_NUMBER, okInner);
        cos.flush();
        UserMessageFrame f = NettyFrameDecoder.userMessage(ByteBuffer.wrap(okBody.toByteArray()));
        assertThat(f).isNotNull();
        assertThat(f.message().getMessageId()).isEqualTo("é");
        assertThat(ch.finish()).isFalse();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    // ------------------------------------------------------------------ decoder on a channel

    private static List<Object> drain(EmbeddedChannel ch) {
        List<Object> out = new ArrayList<>();
        for (Object o = ch.readInbound(); o != null; o = ch.readInbound()) {
            out.add(o);
        }
        return out;
    }

    @Test
    void decoderOnAChannelHandlesTwoFramesInOneBufferAndOneFrameSplitAcrossWrites() throws Exception {
        UserMessage m = userMessage("on the wire");
        Frame um = Frame.newBuilder().setSeq(10).setUserMessage(m).build();
        Frame ack = Frame.newBuilder()
                .setSeq(11)
                .setReplyAck(ReplyAck.newBuilder().setReplySeq(4).setOk(true))
                .build();
        byte[] umBytes = framed(um);
        byte[] ackBytes = framed(ack);

        // two frames in one buffer
        EmbeddedChannel ch = new EmbeddedChannel(new NettyFrameDecoder(1 << 20));
        ch.writeInbound(Unpooled.wrappedBuffer(concat(umBytes, ackBytes)));
        List<Object> out = drain(ch);
        assertThat(out).hasSize(2);
        assertThat(out.get(0)).isInstanceOfSatisfying(UserMessageFrame.class, f -> {
            assertThat(f.seq()).isEqualTo(10);
            assertThat(f.message()).isEqualTo(m);
            assertThat(f.bytes()).isEqualTo(m.toByteArray());
        });
        assertThat(out.get(1)).isInstanceOfSatisfying(DecodeResult.Decoded.class, d -> {
            assertThat(d.frame()).isEqualTo(ack);
            assertThat(d.offset()).isEqualTo(umBytes.length);
            assertThat(d.length()).isEqualTo(ackBytes.length - 4);
        });

        // then a user message split inside its body, then a reply-ack split inside its length prefix
        int cut = umBytes.length / 2;
        ch.writeInbound(Unpooled.wrappedBuffer(Arrays.copyOfRange(umBytes, 0, cut)));
        assertThat(drain(ch)).isEmpty();
        ch.writeInbound(Unpooled.wrappedBuffer(
                concat(Arrays.copyOfRange(umBytes, cut, umBytes.length), Arrays.copyOfRange(ackBytes, 0, 2))));
        out = drain(ch);
        assertThat(out).hasSize(1);
        assertThat(out.get(0)).isInstanceOfSatisfying(UserMessageFrame.class, f -> {
            assertThat(f.seq()).isEqualTo(10);
            assertThat(f.message()).isEqualTo(m);
        });
        ch.writeInbound(Unpooled.wrappedBuffer(Arrays.copyOfRange(ackBytes, 2, ackBytes.length)));
        out = drain(ch);
        assertThat(out).hasSize(1);
        assertThat(out.get(0)).isInstanceOfSatisfying(DecodeResult.Decoded.class, d -> {
            assertThat(d.frame()).isEqualTo(ack);
            assertThat(d.offset()).isEqualTo(2L * umBytes.length + ackBytes.length);
        });
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void decoderOnAChannelReadsByteByByte() {
        Frame um =
                Frame.newBuilder().setSeq(1).setUserMessage(userMessage("slow")).build();
        Frame hb = Frame.newBuilder()
                .setSeq(2)
                .setHeartbeat(Heartbeat.newBuilder().setNonce(5))
                .build();
        byte[] all = concat(framed(um), framed(hb));
        EmbeddedChannel ch = new EmbeddedChannel(new NettyFrameDecoder(1 << 20));
        List<Object> out = new ArrayList<>();
        for (byte b : all) {
            ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {b}));
            out.addAll(drain(ch));
        }
        assertThat(out).hasSize(2);
        assertThat(out.get(0))
                .isInstanceOfSatisfying(
                        UserMessageFrame.class, f -> assertThat(f.message()).isEqualTo(um.getUserMessage()));
        assertThat(out.get(1))
                .isInstanceOfSatisfying(
                        DecodeResult.Decoded.class, d -> assertThat(d.frame()).isEqualTo(hb));
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void encoderAndDecoderRoundTripThroughChannels() throws Exception {
        UserMessage m = userMessage(repeat("round trip ☃ ", 3_000));
        Frame um = Frame.newBuilder().setSeq(Long.MAX_VALUE).setUserMessage(m).build();
        Reply reply = replies().get(replies().size() - 1);
        EmbeddedChannel enc = new EmbeddedChannel(NettyFrameEncoder.INSTANCE);
        enc.writeOutbound(um, new EncodedReplyFrame(128, reply.toByteArray()));
        EmbeddedChannel dec = new EmbeddedChannel(new NettyFrameDecoder(1 << 20));
        for (ByteBuf b = enc.readOutbound(); b != null; b = enc.readOutbound()) {
            dec.writeInbound(b);
        }
        List<Object> out = drain(dec);
        assertThat(out).hasSize(2);
        assertThat(out.get(0)).isInstanceOfSatisfying(UserMessageFrame.class, f -> {
            assertThat(f.seq()).isEqualTo(Long.MAX_VALUE);
            assertThat(f.message()).isEqualTo(m);
        });
        assertThat(out.get(1)).isInstanceOfSatisfying(DecodeResult.Decoded.class, d -> {
            assertThat(d.frame().getSeq()).isEqualTo(128);
            assertThat(d.frame().getReply()).isEqualTo(reply);
            assertThat(d.frame().getReply().getFinal().getTextBytes())
                    .isEqualTo(ByteString.copyFromUtf8(reply.getFinal().getText()));
        });
        assertThat(enc.finish()).isFalse();
        assertThat(dec.finish()).isFalse();
    }
}
