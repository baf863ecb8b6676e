package io.k8s4claw.bridge.runtime.relay;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.ArrayList;
import java.util.List;

/**
 * Coverage-guided fuzzing of the relay line parser. Invariants: it never throws; every complete line yields at
 * most one result; splitting the same text into different WebSocket messages never changes the results; what is
 * buffered never exceeds the line limit; a valid frame appended after any garbage line is still parsed.
 *
 * <p>Runs the stored regression inputs ({@code RelayFrameParserFuzzTestInputs/}) in every build; fuzz for real with
 * {@code JAZZER_FUZZ=1 ./mvnw -pl claw-ipc-bridge test -Dtest=RelayFrameParserFuzzTest}.
 */
class RelayFrameParserFuzzTest {

    @FuzzTest(maxDuration = "30s")
    void parserNeverMisbehaves(FuzzedDataProvider data) {
        int max = data.consumeInt(2, 512);
        int split = data.consumeInt(1, 64);
        String text = data.consumeRemainingAsString();

        List<RelayFrameParser.Line> whole = feed(text, max, text.length() + 1);
        List<RelayFrameParser.Line> pieces = feed(text, max, split);
        assertThat(pieces).isEqualTo(whole);
        long newlines = text.chars().filter(c -> c == '\n').count();
        assertThat((long) whole.size()).isLessThanOrEqualTo(newlines + 1);

        RelayFrameParser p = new RelayFrameParser(Math.max(max, 64));
        p.feed(text.replace("\n", " ") + "\n");
        assertThat(p.feed("{\"type\":\"going_idle\"}\n"))
                .containsExactly(new RelayFrameParser.Line.Good(new RelayFrame.GoingIdle()));
    }

    private static List<RelayFrameParser.Line> feed(String text, int max, int chunk) {
        RelayFrameParser p = new RelayFrameParser(max);
        List<RelayFrameParser.Line> out = new ArrayList<>();
        for (int i = 0; i < text.length(); i += chunk) {
            out.addAll(p.feed(text.substring(i, Math.min(text.length(), i + chunk))));
            assertThat(p.pendingChars()).isLessThanOrEqualTo(max);
        }
        return out;
    }
}
