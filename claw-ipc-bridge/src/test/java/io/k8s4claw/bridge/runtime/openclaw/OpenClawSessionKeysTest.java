package io.k8s4claw.bridge.runtime.openclaw;

import static org.assertj.core.api.Assertions.assertThat;

import io.k8s4claw.api.json.Json;
import io.k8s4claw.bridge.runtime.InboundMessage;
import io.k8s4claw.bridge.runtime.InboundMessage.ChatType;
import java.io.InputStream;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OpenClawSessionKeysTest {

    private static InboundMessage msg(String type, String conv, String thread, ChatType chatType, String user) {
        return new InboundMessage(
                "m1",
                "claw-x",
                type + "-main",
                type,
                conv,
                thread,
                new InboundMessage.Sender(user, "Alice", false),
                "/reset everything",
                "",
                List.of(),
                Map.of(),
                chatType,
                Instant.EPOCH);
    }

    @Test
    void mirrorsOpenClawsNativeChannelKeys() {
        assertThat(OpenClawSessionKeys.forMessage(
                        msg("slack", "C0123ABCD", "1767225600.000100", ChatType.CHANNEL, "U1")))
                .isEqualTo("agent:main:slack:channel:c0123abcd:thread:1767225600.000100");
        assertThat(OpenClawSessionKeys.forMessage(msg("slack", "C0123ABCD", "", ChatType.CHANNEL, "U1")))
                .isEqualTo("agent:main:slack:channel:c0123abcd");
        assertThat(OpenClawSessionKeys.forMessage(msg("slack", "G1", "", ChatType.GROUP, "U1")))
                .isEqualTo("agent:main:slack:group:g1");
        assertThat(OpenClawSessionKeys.forMessage(msg("slack", "D1", "", ChatType.DIRECT, "U01ALICE")))
                .isEqualTo("agent:main:slack:direct:u01alice");
        assertThat(OpenClawSessionKeys.forMessage(msg("discord", "111", "222", ChatType.CHANNEL, "9")))
                .isEqualTo("agent:main:discord:channel:111:thread:222");
        assertThat(OpenClawSessionKeys.forMessage(msg("discord", "111", "", ChatType.DIRECT, "9")))
                .isEqualTo("agent:main:discord:direct:9");
        assertThat(OpenClawSessionKeys.forMessage(msg("telegram", "123", "", ChatType.DIRECT, "123")))
                .isEqualTo("agent:main:telegram:direct:123");
        assertThat(OpenClawSessionKeys.forMessage(msg("telegram", "-1001234567890", "", ChatType.GROUP, "5")))
                .isEqualTo("agent:main:telegram:group:-1001234567890");
        assertThat(OpenClawSessionKeys.forMessage(msg("telegram", "-1001234567890", "42", ChatType.GROUP, "5")))
                .isEqualTo("agent:main:telegram:group:-1001234567890:topic:42");
        assertThat(OpenClawSessionKeys.forMessage(msg("webhook", "Orders", "", ChatType.UNSPECIFIED, "5")))
                .isEqualTo("agent:main:bridge-webhook-main:channel:orders");
        String longKey = OpenClawSessionKeys.forMessage(msg("slack", "C".repeat(600), "", ChatType.CHANNEL, "U"));
        assertThat(longKey).startsWith("agent:main:bridge:h:").hasSize("agent:main:bridge:h:".length() + 64);
    }

    @Test
    void attributesTheTextSoALeadingSlashIsNotACommand() {
        assertThat(OpenClawSessionKeys.attributedText(msg("slack", "C1", "", ChatType.CHANNEL, "U01ALICE")))
                .isEqualTo("[Slack] Alice (U01ALICE): /reset everything");
    }

    @Test
    void findsTheReplyOfATurnResumedAfterACrashInTheRealTranscript() throws Exception {
        // chat.history as gateway 2026.9.6 returned it after being killed mid-turn and restarted (rk-2 was running;
        // the gateway resumed it under a new runId with a "[System] … interrupted by a gateway restart" prompt, and a
        // later terminal-error row followed)
        Json history;
        try (InputStream in = getClass().getResourceAsStream("/openclaw/history-after-crash-2026.9.6.json")) {
            history = Json.parse(in.readAllBytes());
        }
        Json messages = history.path("messages");
        var rk1 = HistoryReconciler.outcomeOf("rk-1", messages);
        assertThat(rk1).isEqualTo(new HistoryReconciler.Outcome(true, true, "echo:  Active Subagents\\nnone\""));
        var rk2 = HistoryReconciler.outcomeOf("rk-2", messages);
        assertThat(rk2.userRowSeen()).isTrue();
        assertThat(rk2.replied()).isTrue();
        assertThat(rk2.text()).startsWith("echo:");
        assertThat(HistoryReconciler.outcomeOf("rk-3", messages))
                .isEqualTo(new HistoryReconciler.Outcome(false, false, ""));
    }
}
