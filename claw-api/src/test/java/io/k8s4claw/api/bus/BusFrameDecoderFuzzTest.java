package io.k8s4claw.api.bus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.k8s4claw.api.bus.v1.Frame;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Coverage-guided fuzzing of the decoder with arbitrary bytes in arbitrary splits. Invariants: it only
 * ever returns frames, {@link DecodeResult.Malformed}, or throws {@link BusFramingException}; decoded
 * frames re-encode and decode again to an equal frame (or, when all-default, are refused by the encoder,
 * which never writes a zero-length frame); offsets never
 * exceed the bytes fed; and splitting the input differently never changes the outcome.
 *
 * <p>Runs the stored regression inputs ({@code BusFrameDecoderFuzzTestInputs/}) in every build; fuzz for
 * real with {@code JAZZER_FUZZ=1 ./mvnw -pl claw-api test -Dtest=BusFrameDecoderFuzzTest}.
 */
class BusFrameDecoderFuzzTest {

    @FuzzTest(maxDuration = "30s")
    void decoderNeverMisbehaves(FuzzedDataProvider data) {
        int max = data.consumeInt(1, 4096);
        int splitSeed = data.consumeInt();
        byte[] bytes = data.consumeRemainingAsBytes();

        Outcome whole = decode(bytes, max, bytes.length, 0);
        Outcome split = decode(bytes, max, 1 + Math.floorMod(splitSeed, 17), splitSeed);
        assertThat(split).isEqualTo(whole);

        BusFrameEncoder encoder = new BusFrameEncoder(BusProtocol.ABSOLUTE_MAX_FRAME_BYTES);
        for (Object r : whole.results) {
            assertThat(((Long) offsetOf(r))).isBetween(0L, (long) bytes.length);
            if (r instanceof Frame frame && frame.getSerializedSize() == 0) {
                // e.g. a body of "08 00" (seq=0 spelled out): valid protobuf, but re-encodes to nothing
                assertThatThrownBy(() -> encoder.encode(frame)).isInstanceOf(IllegalArgumentException.class);
            } else if (r instanceof Frame frame) {
                List<DecodeResult> again =
                        new BusFrameDecoder(BusProtocol.ABSOLUTE_MAX_FRAME_BYTES).feed(encoder.encode(frame));
                assertThat(again)
                        .singleElement()
                        .isInstanceOfSatisfying(
                                DecodeResult.Decoded.class,
                                d -> assertThat(d.frame()).isEqualTo(frame));
            }
        }
    }

    private static Object offsetOf(Object r) {
        return r instanceof Frame ? 0L : r instanceof Long l ? l : 0L;
    }

    private record Outcome(List<Object> results, String failure) {}

    /** Feeds in chunks of {@code chunk} bytes (varied by seed); records frames, malformed offsets, failure kind. */
    private static Outcome decode(byte[] bytes, int max, int chunk, int seed) {
        BusFrameDecoder decoder = new BusFrameDecoder(max);
        List<Object> results = new ArrayList<>();
        int pos = 0;
        int step = 0;
        try {
            while (pos < bytes.length) {
                int n = Math.min(bytes.length - pos, chunk + (step++ % 3 == 0 ? seed & 7 : 0));
                decoder.feed(ByteBuffer.wrap(bytes, pos, n), r -> {
                    if (r instanceof DecodeResult.Decoded d) {
                        assertThat(d.length()).isBetween(1, max);
                        results.add(d.frame());
                    } else if (r instanceof DecodeResult.Malformed m) {
                        assertThat(m.length()).isBetween(0, max);
                        assertThat(m.reason()).contains("byte offset " + m.offset());
                        results.add(m.offset());
                    }
                });
                pos += n;
            }
            decoder.endOfStream();
            return new Outcome(results, null);
        } catch (BusFramingException e) {
            assertThat(e.getMessage()).contains("byte offset");
            return new Outcome(results, e.kind() + "@" + e.offset());
        }
    }
}
