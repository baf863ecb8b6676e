package io.k8s4claw.bridge.runtime.relay;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.k8s4claw.api.bus.v1.ChannelCapabilities;
import java.util.List;
import org.junit.jupiter.api.Test;

class CapabilityDescriptorTest {

    @Test
    void telegramCapabilitiesBecomeTheReferenceDescriptor() throws Exception {
        ChannelCapabilities caps = ChannelCapabilities.newBuilder()
                .setMaxMessageLength(4096)
                .setLengthUnit(ChannelCapabilities.LengthUnit.UTF16_UNITS)
                .setSupportsEdit(true)
                .setSupportsTyping(true)
                .setMarkdownDialect("commonmark")
                .addAllSupportedOps(List.of("send", "edit", "typing"))
                .build();
        String line = RelayFrameWriter.descriptor(CapabilityDescriptor.from("telegram", caps));
        assertThat(line).endsWith("\n").doesNotContain("\n\n");
        // the descriptor as Hermes documents it, byte for byte (docs/runtime-hermes-relay.md, "Wire")
        assertThat(line)
                .isEqualTo("{\"type\":\"descriptor\",\"descriptor\":{\"contract_version\":1,\"platform\":\"telegram\","
                        + "\"label\":\"Telegram\",\"max_message_length\":4096,\"supports_draft_streaming\":false,"
                        + "\"supports_edit\":true,"
                        + "\"supports_threads\":false,\"markdown_dialect\":\"markdown\",\"len_unit\":\"utf16\","
                        + "\"supported_ops\":[\"send\",\"edit\",\"typing\"]}}\n");
    }

    @Test
    void editIsOnlyAdvertisedWhenTheChannelCanAndOpsAreExplicit() throws Exception {
        ChannelCapabilities noEdit = ChannelCapabilities.newBuilder()
                .setMaxMessageLength(2000)
                .setLengthUnit(ChannelCapabilities.LengthUnit.CHARACTERS)
                .setSupportsEdit(true)
                .setSupportsThreads(true)
                .setMarkdownDialect("discord")
                .addSupportedOps("send")
                .build();
        CapabilityDescriptor d = CapabilityDescriptor.from("discord", noEdit);
        assertThat(d.supportsEdit()).isFalse();
        assertThat(d.supportedOps()).containsExactly("send");
        assertThat(d.supportsThreads()).isTrue();
        assertThat(d.markdownDialect()).isEqualTo("discord");
        JsonNode json =
                new ObjectMapper().readTree(RelayFrameWriter.descriptor(d)).path("descriptor");
        for (String required : List.of(
                "contract_version",
                "platform",
                "label",
                "max_message_length",
                "supports_draft_streaming",
                "supports_edit",
                "supports_threads",
                "markdown_dialect",
                "len_unit")) {
            assertThat(json.has(required)).as(required).isTrue();
        }
    }

    @Test
    void derivesOpsFromFlagsWhenNoneListedAndMapsUnitsAndDialects() {
        ChannelCapabilities slack = ChannelCapabilities.newBuilder()
                .setMaxMessageLength(0)
                .setSupportsEdit(true)
                .setSupportsTyping(false)
                .setMarkdownDialect("slack-mrkdwn")
                .build();
        CapabilityDescriptor d = CapabilityDescriptor.from("slack", slack);
        assertThat(d.supportedOps()).containsExactly("send", "edit");
        assertThat(d.maxMessageLength()).isEqualTo(CapabilityDescriptor.UNLIMITED_LENGTH);
        assertThat(d.markdownDialect()).isEqualTo("slack");
        assertThat(d.lenUnit()).isEqualTo("chars");
        ChannelCapabilities bytes = ChannelCapabilities.newBuilder()
                .setMaxMessageLength(4000)
                .setLengthUnit(ChannelCapabilities.LengthUnit.BYTES)
                .setMarkdownDialect("plain")
                .build();
        CapabilityDescriptor b = CapabilityDescriptor.from("webhook", bytes);
        assertThat(b.maxMessageLength()).isEqualTo(1000);
        assertThat(b.markdownDialect()).isEqualTo("plain");
        assertThat(CapabilityDescriptor.hermesDialect("telegram-markdownv2")).isEqualTo("markdown_v2");
    }
}
