package io.k8s4claw.bridge.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.k8s4claw.api.bus.v1.Attachment;
import io.k8s4claw.api.bus.v1.ChatType;
import io.k8s4claw.api.bus.v1.Sender;
import io.k8s4claw.api.bus.v1.UserMessage;
import org.junit.jupiter.api.Test;

class SessionKeyTest {

    @Test
    void documentedExamples() {
        assertThat(new SessionKey("telegram-main", "-100123", "").hermesSessionId())
                .isEqualTo("telegram-main.-100123");
        assertThat(new SessionKey("slack", "C0123", "1767225600.000100").hermesSessionId())
                .isEqualTo("slack.C0123.1767225600_2E000100");
        assertThat(new SessionKey("slack", "C0123", "1767225600.000100").hermesSessionKeyHeader())
                .isEqualTo("bridge:slack:C0123:1767225600_2E000100");
        assertThat(new SessionKey("telegram", "123456789", null).hermesSessionKeyHeader())
                .isEqualTo("bridge:telegram:123456789");
    }

    @Test
    void escapingKeepsPartsApartAndIsPathSafe() {
        // without escaping, these two would collide on "a.b.c"
        var a = new SessionKey("a", "b.c", "");
        var b = new SessionKey("a", "b", "c");
        assertThat(a.hermesSessionId()).isNotEqualTo(b.hermesSessionId());
        var hostile = new SessionKey("ch", "../../etc/passwd\r\n\u0000é:", "");
        assertThat(hostile.hermesSessionId())
                .matches("[A-Za-z0-9_.-]+")
                .doesNotContain("..")
                .doesNotContain("/");
        assertThat(hostile.hermesSessionKeyHeader()).matches("[A-Za-z0-9_:-]+");
        assertThat(hostile.hermesSessionId()).isEqualTo("ch._2E_2E_2F_2E_2E_2Fetc_2Fpasswd_0D_0A_00_C3_A9_3A");
    }

    @Test
    void longKeysAreHashedWithinLimits() {
        var k = new SessionKey("c", "x".repeat(300), "t");
        assertThat(k.hermesSessionId()).startsWith("h-").hasSize(66);
        assertThat(k.hermesSessionKeyHeader()).startsWith("bridge:h:").hasSizeLessThanOrEqualTo(256);
        assertThat(new SessionKey("c", "x".repeat(300), "u").hermesSessionId()).isNotEqualTo(k.hermesSessionId());
    }

    @Test
    void emptyConversationIsRefusedWithTheFieldName() {
        assertThatThrownBy(() -> new SessionKey("c", "", "")).hasMessageContaining("conversationId");
    }

    @Test
    void idempotencyKeyIsStableVisibleAsciiAndChannelScoped() {
        String k = InboundMessage.idempotencyKeyFor("slack-main", "Ev0123");
        // golden value: changing the derivation would re-run messages under recovery
        assertThat(k).isEqualTo("claw-949c06a22bdb6185cd3fc5093dcc3ad00127432e");
        assertThat(k).hasSize(45).matches("[\\x21-\\x7e]+");
        assertThat(InboundMessage.idempotencyKeyFor("slack-other", "Ev0123")).isNotEqualTo(k);
    }

    @Test
    void fromBusMessage() {
        var um = UserMessage.newBuilder()
                .setMessageId("m1")
                .setConversationId("C1")
                .setThreadId("t1")
                .setSender(Sender.newBuilder().setId("U1").setDisplayName("Ada"))
                .setText("hi")
                .setChatType(ChatType.GROUP)
                .setSentAtUnixMs(1767225600000L)
                .addAttachments(Attachment.newBuilder()
                        .setName("a.png")
                        .setMimeType("image/png")
                        .setSizeBytes(3)
                        .setRef("https://x/a.png"))
                .putMetadata("team", "T1")
                .build();
        var m = InboundMessage.from("slack-main", "slack", um);
        assertThat(m.idempotencyKey()).isEqualTo(InboundMessage.idempotencyKeyFor("slack-main", "m1"));
        assertThat(m.chatType()).isEqualTo(InboundMessage.ChatType.GROUP);
        assertThat(m.sessionKey()).isEqualTo(new SessionKey("slack-main", "C1", "t1"));
        assertThat(m.attachments())
                .singleElement()
                .extracting(InboundMessage.Attachment::ref)
                .isEqualTo("https://x/a.png");
        assertThat(m.metadata()).containsEntry("team", "T1");
        assertThatThrownBy(() -> InboundMessage.from(
                        "slack-main", "slack", um.toBuilder().setMessageId("").build()))
                .hasMessageContaining("messageId");
    }
}
