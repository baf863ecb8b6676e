package io.k8s4claw.api.bus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.k8s4claw.api.bus.v1.Error;
import io.k8s4claw.api.bus.v1.Frame;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BusFrameCodecTest {

    private final BusFrameEncoder encoder = new BusFrameEncoder();

    @Test
    void everyBodyTypeHasASampleAndRoundTrips() {
        Map<Frame.BodyCase, Frame> samples = SampleFrames.everyBodyType();
        // Guards against a body type added to bus.proto without a round-trip sample here.
        assertThat(samples.keySet())
                .containsExactlyInAnyOrder(Arrays.stream(Frame.BodyCase.values())
                        .filter(c -> c != Frame.BodyCase.BODY_NOT_SET)
                        .toArray(Frame.BodyCase[]::new));
        for (Frame frame : samples.values()) {
            List<DecodeResult> out = new BusFrameDecoder().feed(encoder.encode(frame));
            assertThat(out)
                    .singleElement()
                    .isInstanceOfSatisfying(
                            DecodeResult.Decoded.class,
                            d -> assertThat(d.frame()).isEqualTo(frame));
        }
    }

    @Test
    void prefixIsBigEndianBodyLength() {
        Frame frame = SampleFrames.everyBodyType().get(Frame.BodyCase.ACK);
        byte[] bytes = encoder.encode(frame);
        assertThat(ByteBuffer.wrap(bytes).getInt()).isEqualTo(frame.getSerializedSize());
        assertThat(bytes).hasSize(4 + frame.getSerializedSize());
        assertThat(Arrays.copyOfRange(bytes, 4, bytes.length)).isEqualTo(frame.toByteArray());
    }

    @Test
    void coalescedStreamYieldsEveryFrameInOrderWithOffsets() throws Exception {
        List<Frame> frames = SampleFrames.all();
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        List<Long> offsets = new ArrayList<>();
        for (Frame f : frames) {
            offsets.add((long) stream.size());
            encoder.encode(f, stream);
        }
        BusFrameDecoder decoder = new BusFrameDecoder();
        List<DecodeResult> out = decoder.feed(stream.toByteArray());
        assertThat(out).extracting(r -> ((DecodeResult.Decoded) r).frame()).containsExactlyElementsOf(frames);
        assertThat(out).extracting(DecodeResult::offset).containsExactlyElementsOf(offsets);
        assertThat(decoder.bytesConsumed()).isEqualTo(stream.size());
        assertThat(decoder.hasPartialFrame()).isFalse();
    }

    @Test
    void byteAtATimeAndRandomSplitsYieldTheSameFrames() throws Exception {
        List<Frame> frames = SampleFrames.all();
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        for (Frame f : frames) {
            encoder.encode(f, stream);
        }
        byte[] bytes = stream.toByteArray();

        BusFrameDecoder oneByOne = new BusFrameDecoder();
        List<Frame> got = new ArrayList<>();
        for (byte b : bytes) {
            oneByOne.feed(new byte[] {b}).forEach(r -> got.add(((DecodeResult.Decoded) r).frame()));
        }
        assertThat(got).containsExactlyElementsOf(frames);

        Random random = new Random(42);
        for (int round = 0; round < 200; round++) {
            BusFrameDecoder decoder = new BusFrameDecoder();
            List<Frame> split = new ArrayList<>();
            int pos = 0;
            while (pos < bytes.length) {
                int n = Math.min(bytes.length - pos, 1 + random.nextInt(64));
                decoder.feed(bytes, pos, n).forEach(r -> split.add(((DecodeResult.Decoded) r).frame()));
                pos += n;
            }
            assertThat(split).as("round %d", round).containsExactlyElementsOf(frames);
        }
    }

    @Test
    void oversizedLengthIsFatalAndNamesOffsetAndLimit() {
        byte[] ok = encoder.encode(SampleFrames.everyBodyType().get(Frame.BodyCase.ACK));
        ByteBuffer stream = ByteBuffer.allocate(ok.length + 8);
        stream.put(ok).putInt(2048).putInt(0).flip();
        BusFrameDecoder decoder = new BusFrameDecoder(1024);
        List<DecodeResult> before = new ArrayList<>();
        assertThatThrownBy(() -> decoder.feed(stream, before::add))
                .isInstanceOfSatisfying(BusFramingException.class, e -> {
                    assertThat(e.kind()).isEqualTo(BusFramingException.Kind.FRAME_TOO_LARGE);
                    assertThat(e.offset()).isEqualTo(ok.length);
                    assertThat(e.limit()).isEqualTo(1024);
                    assertThat(e.kind().errorCode()).isEqualTo(Error.Code.FRAME_TOO_LARGE);
                })
                .hasMessageContaining("byte offset " + ok.length)
                .hasMessageContaining("announces 2048 bytes")
                .hasMessageContaining("maximum frame size of 1024 bytes");
        // the good frame in front of it was still delivered
        assertThat(before).singleElement().isInstanceOf(DecodeResult.Decoded.class);
        // the list-returning variant hands over what preceded the break too
        ByteBuffer again = ByteBuffer.allocate(ok.length + 8)
                .put(ok)
                .putInt(2048)
                .putInt(0)
                .flip();
        assertThatThrownBy(() -> new BusFrameDecoder(1024).feed(again))
                .isInstanceOfSatisfying(
                        BusFramingException.class,
                        e -> assertThat(e.decodedBefore()).singleElement().isInstanceOf(DecodeResult.Decoded.class));
        // and the decoder refuses to go on
        assertThatThrownBy(() -> decoder.feed(ok))
                .isInstanceOfSatisfying(
                        BusFramingException.class,
                        e -> assertThat(e.kind()).isEqualTo(BusFramingException.Kind.DECODER_FAILED));
    }

    @Test
    void oversizedLengthDetectedEvenWhenPrefixArrivesSplit() {
        BusFrameDecoder decoder = new BusFrameDecoder(1024);
        assertThat(decoder.feed(new byte[] {(byte) 0xff, (byte) 0xff})).isEmpty();
        assertThatThrownBy(() -> decoder.feed(new byte[] {(byte) 0xff, (byte) 0xff}))
                .isInstanceOf(BusFramingException.class)
                .hasMessageContaining("byte offset 0 announces 4294967295 bytes");
    }

    @Test
    void encoderRefusesOversizedFrames() {
        BusFrameEncoder small = new BusFrameEncoder(64);
        Frame big = new BusFrames().userMessage(SampleFrames.userMessage("m", "x".repeat(100)));
        assertThatThrownBy(() -> small.encode(big))
                .isInstanceOfSatisfying(
                        BusFramingException.class, e -> assertThat(e.limit()).isEqualTo(64))
                .hasMessageContaining("maximum frame size is 64 bytes")
                .hasMessageContaining("USER_MESSAGE");
    }

    @Test
    void encoderRefusesEmptyFrames() {
        assertThatThrownBy(() -> encoder.encode(Frame.getDefaultInstance()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("empty bus frame");
    }

    @Test
    void truncatedBodyAtEndOfStreamIsReported() {
        byte[] bytes = encoder.encode(SampleFrames.everyBodyType().get(Frame.BodyCase.HELLO));
        BusFrameDecoder decoder = new BusFrameDecoder();
        assertThat(decoder.feed(bytes, 0, bytes.length - 3)).isEmpty();
        assertThat(decoder.hasPartialFrame()).isTrue();
        assertThatThrownBy(decoder::endOfStream)
                .isInstanceOfSatisfying(BusFramingException.class, e -> {
                    assertThat(e.kind()).isEqualTo(BusFramingException.Kind.TRUNCATED);
                    assertThat(e.offset()).isZero();
                })
                .hasMessageContaining("truncated bus frame at byte offset 0")
                .hasMessageContaining("announced " + (bytes.length - 4) + " bytes, only " + (bytes.length - 7));
    }

    @Test
    void truncatedPrefixAtEndOfStreamIsReported() {
        BusFrameDecoder decoder = new BusFrameDecoder();
        byte[] ack = encoder.encode(SampleFrames.everyBodyType().get(Frame.BodyCase.ACK));
        decoder.feed(ack);
        decoder.feed(new byte[] {0, 0});
        assertThatThrownBy(decoder::endOfStream)
                .hasMessageContaining("byte offset " + ack.length)
                .hasMessageContaining("only 2 of 4 bytes");
    }

    @Test
    void cleanEndOfStreamIsFine() {
        BusFrameDecoder decoder = new BusFrameDecoder();
        decoder.feed(encoder.encode(SampleFrames.everyBodyType().get(Frame.BodyCase.ACK)));
        decoder.endOfStream();
    }

    @Test
    void garbageBodyIsResynchronisable() {
        byte[] good = encoder.encode(SampleFrames.everyBodyType().get(Frame.BodyCase.HEARTBEAT));
        // a length-5 frame whose body is an invalid tag (field 0) followed by junk
        byte[] garbage = {0, 0, 0, 5, 0x00, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff};
        ByteBuffer stream = ByteBuffer.allocate(good.length * 2 + garbage.length);
        stream.put(good).put(garbage).put(good).flip();
        List<DecodeResult> out = new BusFrameDecoder().feed(stream);
        assertThat(out).hasSize(3);
        assertThat(out.get(0)).isInstanceOf(DecodeResult.Decoded.class);
        assertThat(out.get(1)).isInstanceOfSatisfying(DecodeResult.Malformed.class, m -> {
            assertThat(m.offset()).isEqualTo(good.length);
            assertThat(m.length()).isEqualTo(5);
            assertThat(m.reason()).contains("byte offset " + good.length).contains("not a valid claw.bus.v1.Frame");
        });
        assertThat(out.get(2)).isInstanceOf(DecodeResult.Decoded.class);
    }

    @Test
    void zeroLengthFrameIsMalformedButKeepsSync() {
        byte[] good = encoder.encode(SampleFrames.everyBodyType().get(Frame.BodyCase.DRAIN));
        ByteBuffer stream =
                ByteBuffer.allocate(4 + good.length).putInt(0).put(good).flip();
        List<DecodeResult> out = new BusFrameDecoder().feed(stream);
        assertThat(out.get(0))
                .isInstanceOfSatisfying(
                        DecodeResult.Malformed.class,
                        m -> assertThat(m.reason()).contains("zero-length bus frame at byte offset 0"));
        assertThat(out.get(1)).isInstanceOf(DecodeResult.Decoded.class);
        // split as well
        BusFrameDecoder split = new BusFrameDecoder();
        assertThat(split.feed(new byte[] {0, 0, 0})).isEmpty();
        assertThat(split.feed(new byte[] {0})).singleElement().isInstanceOf(DecodeResult.Malformed.class);
    }

    @Test
    void unknownBodyTypeDecodesWithBodyNotSet() {
        // field 99 (a body type from a newer schema), length-delimited, 2 bytes; plus seq=5
        byte[] body = {0x08, 0x05, (byte) 0x9a, 0x06, 0x02, 0x41, 0x42};
        ByteBuffer stream = ByteBuffer.allocate(4 + body.length)
                .putInt(body.length)
                .put(body)
                .flip();
        List<DecodeResult> out = new BusFrameDecoder().feed(stream);
        assertThat(out).singleElement().isInstanceOfSatisfying(DecodeResult.Decoded.class, d -> {
            assertThat(d.frame().getBodyCase()).isEqualTo(Frame.BodyCase.BODY_NOT_SET);
            assertThat(d.frame().getSeq()).isEqualTo(5);
        });
    }

    @Test
    void negotiatedLimitAppliesToLaterFrames() {
        BusFrameDecoder decoder = new BusFrameDecoder(16);
        byte[] hello = encoder.encode(SampleFrames.everyBodyType().get(Frame.BodyCase.HELLO));
        assertThatThrownBy(() -> decoder.feed(hello)).isInstanceOf(BusFramingException.class);
        BusFrameDecoder raised = new BusFrameDecoder(16);
        raised.setMaxFrameBytes(4096);
        assertThat(raised.feed(hello)).singleElement().isInstanceOf(DecodeResult.Decoded.class);
        assertThatThrownBy(() -> raised.setMaxFrameBytes(BusProtocol.ABSOLUTE_MAX_FRAME_BYTES + 1))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void directBuffersWork() {
        Frame frame = SampleFrames.everyBodyType().get(Frame.BodyCase.REPLY);
        ByteBuffer direct = ByteBuffer.allocateDirect(encoder.encodedSize(frame));
        encoder.encode(frame, direct);
        direct.flip();
        assertThat(new BusFrameDecoder().feed(direct))
                .singleElement()
                .isInstanceOfSatisfying(
                        DecodeResult.Decoded.class, d -> assertThat(d.frame()).isEqualTo(frame));
    }
}
