package io.k8s4claw.bridge.runtime.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class RelayFrameParserTest {

    @Test
    void parsesHermesPythonStyleFramesSplitAcrossMessages() {
        RelayFrameParser p = new RelayFrameParser(1024);
        assertThat(p.feed("{\"type\": \"hello\", \"platform\": \"telegram\", \"botId\": \"\"}\n{\"type\": \"outb"))
                .containsExactly(new RelayFrameParser.Line.Good(new RelayFrame.Hello("telegram", "")));
        assertThat(p.pendingChars()).isGreaterThan(0);
        List<RelayFrameParser.Line> lines =
                p.feed("ound\", \"requestId\": \"0f3c\", \"action\": {\"op\": \"send\", \"chat_id\": \"1\", "
                        + "\"content\": \"It is 3 \\u00b0C\"}, \"platform\": \"telegram\"}\n");
        assertThat(lines).singleElement().satisfies(l -> {
            RelayFrame.Outbound o = (RelayFrame.Outbound) ((RelayFrameParser.Line.Good) l).frame();
            assertThat(o.requestId()).isEqualTo("0f3c");
            assertThat(o.op()).isEqualTo("send");
            assertThat(o.platform()).isEqualTo("telegram");
            assertThat(o.action().path("content").asText()).isEqualTo("It is 3 °C");
        });
        assertThat(p.pendingChars()).isZero();
    }

    @Test
    void reportsBadLinesWithTheirIndexAndKeepsGoing() {
        RelayFrameParser p = new RelayFrameParser(1024);
        List<RelayFrameParser.Line> lines =
                p.feed("{\"type\":\"going_idle\"}\n{not json\n[1]\n{\"type\":7}\n\n{\"type\":\"future_thing\"}\n");
        assertThat(lines).hasSize(5);
        assertThat(lines.get(0)).isEqualTo(new RelayFrameParser.Line.Good(new RelayFrame.GoingIdle()));
        assertThat(((RelayFrameParser.Line.Bad) lines.get(1)).index()).isEqualTo(1);
        assertThat(((RelayFrameParser.Line.Bad) lines.get(1)).reason())
                .startsWith("not JSON")
                .contains("at character 1");
        assertThat(((RelayFrameParser.Line.Bad) lines.get(2)).reason()).contains("must be a JSON object");
        assertThat(((RelayFrameParser.Line.Bad) lines.get(3)).reason()).contains("'type' must be a string");
        assertThat(lines.get(4)).isEqualTo(new RelayFrameParser.Line.Good(new RelayFrame.Unknown("future_thing")));
    }

    @Test
    void malformedOutboundWithARequestIdIsAnsweredNotDropped() throws Exception {
        assertThat(RelayFrameParser.parseLine("{\"type\":\"outbound\",\"requestId\":\"r1\",\"action\":\"send\"}"))
                .isEqualTo(new RelayFrame.MalformedOutbound("r1", "field 'action' must be an object"));
        assertThat(RelayFrameParser.parseLine("{\"type\":\"outbound\",\"requestId\":\"r2\",\"action\":{}}"))
                .isEqualTo(new RelayFrame.MalformedOutbound("r2", "field 'action.op' must be a non-empty string"));
        assertThatThrownBy(() -> RelayFrameParser.parseLine("{\"type\":\"outbound\",\"action\":{\"op\":\"send\"}}"))
                .isInstanceOf(RelayFrameException.class)
                .hasMessageContaining("'requestId'");
    }

    @Test
    void dropsOverlongLinesUpToTheirNewline() {
        RelayFrameParser p = new RelayFrameParser(32);
        List<RelayFrameParser.Line> first = p.feed("{\"type\":\"hello\",\"platform\":\"" + "x".repeat(40));
        assertThat(first).singleElement().isInstanceOf(RelayFrameParser.Line.Bad.class);
        assertThat(p.feed("yyyy")).isEmpty();
        assertThat(p.feed("zz\"}\n{\"type\":\"going_idle\"}\n"))
                .containsExactly(new RelayFrameParser.Line.Good(new RelayFrame.GoingIdle()));
    }
}
