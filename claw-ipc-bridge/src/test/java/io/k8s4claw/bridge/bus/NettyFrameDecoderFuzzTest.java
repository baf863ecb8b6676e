package io.k8s4claw.bridge.bus;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.protobuf.InvalidProtocolBufferException;
import io.k8s4claw.api.bus.v1.Frame;
import io.k8s4claw.api.bus.v1.UserMessage;
import java.nio.ByteBuffer;

/**
 * Differential fuzzing of the bridge's hand-written {@code Frame{seq, user_message}} fast path against
 * protobuf's own parser. It may decline any body (the general path, which is claw-api's fuzzed decoder, takes
 * it then); whatever it accepts protobuf must parse to the same seq and message, and the bytes it keeps for the
 * journal must be that message.
 *
 * <p>Runs the stored regression inputs ({@code NettyFrameDecoderFuzzTestInputs/}) in every build; fuzz for real
 * with {@code JAZZER_FUZZ=1 ./mvnw -pl claw-ipc-bridge test -Dtest=NettyFrameDecoderFuzzTest}.
 */
class NettyFrameDecoderFuzzTest {

    @FuzzTest(maxDuration = "30s")
    void fastPathAgreesWithProtobuf(FuzzedDataProvider data) throws InvalidProtocolBufferException {
        byte[] body = data.consumeRemainingAsBytes();
        UserMessageFrame fast = NettyFrameDecoder.userMessage(ByteBuffer.wrap(body));
        if (fast == null) {
            return;
        }
        Frame frame = Frame.parseFrom(body); // throws, failing the test, if the fast path accepted garbage
        assertThat(frame.hasUserMessage()).isTrue();
        assertThat(fast.seq()).isEqualTo(frame.getSeq());
        assertThat(fast.message()).isEqualTo(frame.getUserMessage());
        assertThat(UserMessage.parseFrom(fast.bytes())).isEqualTo(frame.getUserMessage());
    }
}
