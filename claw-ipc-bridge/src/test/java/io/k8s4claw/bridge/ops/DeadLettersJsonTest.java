package io.k8s4claw.bridge.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.k8s4claw.bridge.delivery.DeadLetter;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code GET /v1/dead-letters} answers the bytes Jackson wrote for it before the bridge dropped Jackson. */
class DeadLettersJsonTest {

    @Test
    void listIsWhatJacksonWroteForTheRecords() throws Exception {
        List<DeadLetter> letters = List.of(
                new DeadLetter(
                        "k1",
                        "slack",
                        "m1",
                        "C1",
                        "undeliverable: \"quoted\"\n",
                        3,
                        1_700_000_000_000L,
                        1_700_000_001_000L,
                        "héllo \u0001 \u2028 😀…"),
                new DeadLetter("k2", "telegram", "m2", null, "", 0, 0, Long.MAX_VALUE, ""));
        assertThat(OpsHttpServer.deadLettersJson(letters))
                .isEqualTo(new ObjectMapper().writeValueAsString(Map.of("deadLetters", letters)));
        assertThat(OpsHttpServer.deadLettersJson(List.of()))
                .isEqualTo(new ObjectMapper().writeValueAsString(Map.of("deadLetters", List.of())));
    }
}
