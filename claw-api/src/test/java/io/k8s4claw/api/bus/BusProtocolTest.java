package io.k8s4claw.api.bus;

import static org.assertj.core.api.Assertions.assertThat;

import io.k8s4claw.api.bus.v1.Error;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class BusProtocolTest {

    @Test
    void negotiatesHighestCommonVersion() {
        assertThat(BusProtocol.negotiate(1, 1)).isEqualTo(OptionalInt.of(1));
        assertThat(BusProtocol.negotiate(1, 5)).isEqualTo(OptionalInt.of(1));
        assertThat(BusProtocol.negotiate(1, 0)).as("max unset = min only").isEqualTo(OptionalInt.of(1));
    }

    @Test
    void refusesDisjointOrNonsenseRanges() {
        assertThat(BusProtocol.negotiate(2, 3)).isEmpty();
        assertThat(BusProtocol.negotiate(0, 0)).isEmpty();
        assertThat(BusProtocol.negotiate(3, 2)).isEmpty();
    }

    @Test
    void fatalCodesMatchTheSchemaComments() {
        assertThat(BusFrames.isFatal(Error.Code.FRAME_TOO_LARGE)).isTrue();
        assertThat(BusFrames.isFatal(Error.Code.UNSUPPORTED_VERSION)).isTrue();
        assertThat(BusFrames.isFatal(Error.Code.REPLACED)).isTrue();
        assertThat(BusFrames.isFatal(Error.Code.MALFORMED_FRAME)).isFalse();
        assertThat(BusFrames.isFatal(Error.Code.UNSUPPORTED_FRAME)).isFalse();
    }

    @Test
    void framesAreNumberedPerConnection() {
        BusFrames frames = new BusFrames();
        assertThat(frames.ack("a", false).getSeq()).isEqualTo(1);
        assertThat(frames.ack("b", false).getSeq()).isEqualTo(2);
        assertThat(new BusFrames().ack("c", false).getSeq()).isEqualTo(1);
    }
}
